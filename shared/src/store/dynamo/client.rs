//! Building DynamoDB clients: the retry and timeout limits every client of the project uses,
//! and the functions' client, built from Lambda's environment only ([`ClientEnv`]) over the
//! HTTPS client of [`super::https`].

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::Client;

use super::https::{self, TrustedRoots};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use crate::config::ConfigError;
use crate::secrets::seal::Sealer;
use crate::store::dynamo::ClientEnv;

/// Attempts per request, the first included (the SDK's standard retry with backoff).
pub const MAX_ATTEMPTS: u32 = 3;
/// Time allowed to open a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Time allowed for one attempt.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// Time allowed for a whole operation, retries included: well inside the functions' timeouts.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(5);

/// A client of the SDK crate `$sdk` as the functions build each: the region of `$env`,
/// credentials from Lambda's variables, the retry and timeout limits, over the HTTPS client
/// `$http`, at `$endpoint` when it is `Some`.
macro_rules! lambda_sdk_client {
    ($sdk:ident, $env:expr, $http:expr, $endpoint:expr) => {{
        let mut config = $sdk::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region($sdk::config::Region::new($env.region.clone()))
            .credentials_provider(EnvironmentVariableCredentialsProvider::new())
            .http_client($http)
            .retry_config(retry_config())
            .timeout_config(timeout_config());
        if let Some(endpoint) = $endpoint {
            config = config.endpoint_url(endpoint);
        }
        $sdk::Client::from_conf(config.build())
    }};
}

/// The functions' client: the region and endpoint of `env`, credentials from the variables
/// Lambda sets (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), the retry
/// and timeout limits above, over [`https::https_client`] with the roots `env` asks for.
/// Nothing else is probed or read: no profile files, no instance metadata, no certificate
/// files unless asked for, which keeps start-up short.
pub fn lambda_client(env: &ClientEnv) -> Result<Client, ConfigError> {
    Ok(dynamodb_client(env, lambda_https(env)?))
}

/// [`lambda_client`], and the sealer of the seal secret `env` names (unconfigured if none),
/// whose Secrets Manager client shares the HTTPS client and the limits: for the login, the one
/// function that seals and opens keys (the others do not link the Secrets Manager client).
pub fn lambda_clients_sealing(env: &ClientEnv) -> Result<(Client, Sealer), ConfigError> {
    let http = lambda_https(env)?;
    let sealer = match &env.seal_secret {
        None => Sealer::unconfigured(),
        Some(secret) => {
            let client = lambda_sdk_client!(
                aws_sdk_secretsmanager,
                env,
                http.clone(),
                &env.secrets_endpoint
            );
            Sealer::from_secret(client, secret.clone())
        }
    };
    Ok((dynamodb_client(env, http), sealer))
}

/// The functions' SQS client (the password reset's queue): as [`lambda_client`]'s, for SQS.
pub fn lambda_sqs_client(env: &ClientEnv) -> Result<aws_sdk_sqs::Client, ConfigError> {
    Ok(lambda_sdk_client!(
        aws_sdk_sqs,
        env,
        lambda_https(env)?,
        &env.sqs_endpoint
    ))
}

/// The mailer's SES v2 client: as [`lambda_client`]'s, for SES.
pub fn lambda_ses_client(env: &ClientEnv) -> Result<aws_sdk_sesv2::Client, ConfigError> {
    Ok(lambda_sdk_client!(
        aws_sdk_sesv2,
        env,
        lambda_https(env)?,
        &env.ses_endpoint
    ))
}

/// The HTTPS client of the functions' SDK clients, trusting the roots `env` asks for.
fn lambda_https(env: &ClientEnv) -> Result<SharedHttpClient, ConfigError> {
    let roots = TrustedRoots::for_paths(env.cert_file.clone(), env.cert_dir.clone())?;
    https::https_client(roots)
}

fn dynamodb_client(env: &ClientEnv, http: SharedHttpClient) -> Client {
    lambda_sdk_client!(aws_sdk_dynamodb, env, http, &env.endpoint)
}

/// Time an administration command allows one attempt: an import's transactions hold 100 items.
pub const ADMIN_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time an administration command allows a whole operation, retries included.
pub const ADMIN_OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

/// The limits a client outside Lambda keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limits {
    /// Serving requests (`authtoken serve`): the functions' timeouts, so that a hung store
    /// answers 503 as quickly as in Lambda.
    Serving,
    /// A one-shot administration command: no request waits on it, and its writes may be large
    /// ([`ADMIN_ATTEMPT_TIMEOUT`], [`ADMIN_OPERATION_TIMEOUT`]).
    Administration,
}

/// The AWS SDK configuration for clients outside Lambda (the command line): the SDK's usual
/// sources (profiles, `~/.aws`, the environment), this project's retries, and the timeouts of
/// `limits`.
pub async fn sdk_config(limits: Limits) -> aws_config::SdkConfig {
    let timeouts = match limits {
        Limits::Serving => timeout_config(),
        Limits::Administration => TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .operation_attempt_timeout(ADMIN_ATTEMPT_TIMEOUT)
            .operation_timeout(ADMIN_OPERATION_TIMEOUT)
            .build(),
    };
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config())
        .timeout_config(timeouts)
        .load()
        .await
}

/// Standard retries (exponential backoff with jitter), [`MAX_ATTEMPTS`] attempts in all.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS)
}

/// [`CONNECT_TIMEOUT`], [`ATTEMPT_TIMEOUT`] and [`OPERATION_TIMEOUT`].
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}
