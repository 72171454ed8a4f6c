//! The local DynamoDB-compatible server the tests use (moto, started by `scripts/test.sh`).

use std::sync::{Arc, Mutex, OnceLock};

use authtoken::secrets::seal::{SealKey, Sealer};
use authtoken::secrets::token::TokenKey;
use authtoken::store::dynamo::Tables;
use authtoken::store::dynamo::{self, DynamoStore, tables};
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_dynamodb::error::BoxError;

/// Region the tests claim; the local server accepts any.
pub const REGION: &str = "us-east-1";

/// The endpoint of the DynamoDB-compatible server. Fails (never skips) without one, saying how
/// to get one, and refuses anything but a loopback address.
pub fn endpoint() -> String {
    match std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
        Ok(url) if url.starts_with("http://127.0.0.1:") || url.starts_with("http://localhost:") => {
            url
        }
        Ok(url) => panic!(
            "AWS_ENDPOINT_URL_DYNAMODB is {url:?}; the tests only talk to a local server \
             (http://127.0.0.1:PORT). Run `bash scripts/test.sh`, which starts one."
        ),
        Err(_) => panic!(
            "this test needs a DynamoDB-compatible server and AWS_ENDPOINT_URL_DYNAMODB is not \
             set. Run `bash scripts/test.sh` (it installs and starts moto), or start one yourself: \
             `.venv/bin/python scripts/dynamodb_local.py 5005 &` then \
             `export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:5005`."
        ),
    }
}

/// An SQS client for the local server at `endpoint` (moto serves SQS too), with dummy
/// credentials.
pub fn sqs_client(endpoint: &str) -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new(REGION))
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// An SES v2 client for the local server at `endpoint`, with dummy credentials and no retries
/// (a test of a failing send wants its answer at once).
pub fn ses_client(endpoint: &str) -> aws_sdk_sesv2::Client {
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(aws_sdk_sesv2::config::BehaviorVersion::latest())
        .region(aws_sdk_sesv2::config::Region::new(REGION))
        .credentials_provider(aws_sdk_sesv2::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .endpoint_url(endpoint)
        .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sesv2::Client::from_conf(config)
}

/// The URL of the mail queue (`MAIL_QUEUE_URL`) on the local server at `endpoint`, made if
/// needed (creating a queue that exists is no error): one queue for every test, which only the
/// functions' runs post to.
pub fn mail_queue_url(endpoint: &str) -> String {
    let endpoint = endpoint.to_owned();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let created = sqs_client(&endpoint)
                .create_queue()
                .queue_name("authtoken-test-mail")
                .send()
                .await
                .expect("create the test mail queue");
            created.queue_url().expect("a queue URL").to_owned()
        })
    })
    .join()
    .expect("the mail queue's thread")
}

/// A client for the local server, with dummy credentials: it can never reach real AWS.
pub fn client() -> aws_sdk_dynamodb::Client {
    client_via(&endpoint())
}

/// A client for `endpoint` (the local server, or a proxy in front of it), with the production
/// retry and timeout settings and dummy credentials.
pub fn client_via(endpoint: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::from_conf(config_via(endpoint).build())
}

/// A client for the local server that records the name of every DynamoDB operation it performs
/// (an operation retried counts once).
pub fn recording_client() -> (aws_sdk_dynamodb::Client, OperationLog) {
    let log = OperationLog::default();
    let config = config_via(&endpoint()).interceptor(log.clone()).build();
    (aws_sdk_dynamodb::Client::from_conf(config), log)
}

/// The names of the DynamoDB operations a client performed, in order.
#[derive(Debug, Clone, Default)]
pub struct OperationLog(Arc<Mutex<Vec<String>>>);

impl OperationLog {
    /// The operations recorded since the last call, oldest first.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }

    /// Asserts that the operations recorded since the last call are `expected`, in order, and
    /// forgets them; `what` names the step in the failure's message.
    #[track_caller]
    pub fn expect(&self, expected: &[&str], what: &str) {
        assert_eq!(self.take(), expected, "{what}");
    }
}

impl Intercept for OperationLog {
    fn name(&self) -> &'static str {
        "OperationLog"
    }

    /// Serialization happens once per operation, before any retry.
    fn read_after_serialization(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or("unknown");
        let name = target.rsplit('.').next().unwrap_or(target);
        self.0.lock().unwrap().push(name.to_owned());
        Ok(())
    }
}

fn config_via(endpoint: &str) -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("test", "test", None, None, "testkit"))
        .retry_config(dynamo::client::retry_config())
        .timeout_config(dynamo::client::timeout_config())
}

/// Uniquely named table names, so that tests run in parallel without sharing state.
pub fn unique_tables() -> Tables {
    let key = TokenKey::generate(authtoken::secrets::token::TokenFormat::Hex);
    let prefix = &key.expose()[..12];
    Tables {
        users: format!("t-{prefix}-users"),
        tokens: format!("t-{prefix}-tokens"),
        lockouts: format!("t-{prefix}-lockouts"),
    }
}

/// A DynamoDB store over freshly created tables.
pub async fn fresh_store() -> DynamoStore {
    let client = client();
    let names = unique_tables();
    if let Err(error) = tables::create(&client, &names).await {
        panic!("cannot create tables at {}: {error:?}", endpoint());
    }
    store(client, names)
}

/// A store over `tables` through `client`, sealing per-user keys as the functions the tests
/// start do: with the key of [`SEAL_SECRET_TEXT`] ([`sealer`]).
pub fn store(client: aws_sdk_dynamodb::Client, tables: Tables) -> DynamoStore {
    DynamoStore::new(client, tables).with_sealer(sealer())
}

/// The name of the seal secret the functions the tests start read from the local server's
/// Secrets Manager ([`ensure_seal_secret`]).
pub const SEAL_SECRET_ID: &str = "authtoken-test-seal";
/// Its text: a test's own stores seal with the key derived from it, so that the functions
/// open what they seal, and the other way round.
pub const SEAL_SECRET_TEXT: &str = "test seal secret, not a real one: 0123456789abcdef";

/// A sealer with the key of [`SEAL_SECRET_TEXT`], read from nowhere.
pub fn sealer() -> Sealer {
    Sealer::with_key(SealKey::derive(SEAL_SECRET_TEXT).expect("a long enough test secret"))
}

/// A Secrets Manager client for the local server (moto serves it on the same port).
pub fn secrets_client() -> aws_sdk_secretsmanager::Client {
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(aws_sdk_secretsmanager::config::Region::new(REGION))
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            "test", "test", None, None, "testkit",
        ))
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

/// Makes sure the local server holds [`SEAL_SECRET_ID`] with [`SEAL_SECRET_TEXT`], once per
/// process. Blocking (on a thread of its own), so that it can be called from anywhere.
pub fn ensure_seal_secret() {
    static CREATED: OnceLock<()> = OnceLock::new();
    CREATED.get_or_init(|| {
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let created = secrets_client()
                    .create_secret()
                    .name(SEAL_SECRET_ID)
                    .secret_string(SEAL_SECRET_TEXT)
                    .send()
                    .await;
                if let Err(error) = created {
                    let exists = error
                        .as_service_error()
                        .is_some_and(|e| e.is_resource_exists_exception());
                    assert!(exists, "create the test seal secret: {error:?}");
                }
            });
        })
        .join()
        .expect("the seal secret's thread");
    });
}
