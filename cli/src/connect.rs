//! Connecting the command line to the DynamoDB tables: table names from flags or the
//! environment, region and credentials from the standard AWS environment, each checked up front
//! with a message that says what to set.

use std::net::{IpAddr, UdpSocket};

use authtoken::manifest::settings::{LOCKOUTS_TABLE, SEAL_SECRET, TOKENS_TABLE, USERS_TABLE};
use authtoken::secrets::seal::Sealer;
use authtoken::store::dynamo::DynamoStore;
use authtoken::store::dynamo::Tables;
use authtoken::store::dynamo::client::{Limits, sdk_config};
use aws_sdk_dynamodb::config::ProvideCredentials;
use clap::Args;

use crate::Error;

/// The DynamoDB tables to work on.
#[derive(Debug, Args)]
pub struct TableArgs {
    /// Users table (default: $USERS_TABLE)
    #[arg(long, global = true, value_name = "NAME")]
    users_table: Option<String>,
    /// Tokens table (default: $TOKENS_TABLE)
    #[arg(long, global = true, value_name = "NAME")]
    tokens_table: Option<String>,
    /// Lockouts table: failed logins per username (default: $LOCKOUTS_TABLE)
    #[arg(long, global = true, value_name = "NAME")]
    lockouts_table: Option<String>,
    /// Secrets Manager secret (ARN or name) that seals the per-user keys kept on users; needed
    /// to issue, import or reseal them (default: $TOKEN_SEAL_SECRET)
    #[arg(long, global = true, value_name = "ID")]
    seal_secret: Option<String>,
}

impl TableArgs {
    /// The seal secret: the flag, else its environment variable; `None` if neither is set.
    pub fn seal_secret(&self) -> Option<String> {
        self.seal_secret
            .clone()
            .or_else(|| std::env::var(SEAL_SECRET.var).ok())
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty())
    }

    /// The table names: each flag, else its environment variable.
    pub fn tables(&self) -> Result<Tables, Error> {
        let users = self
            .users_table
            .clone()
            .or_else(|| std::env::var(USERS_TABLE.var).ok());
        let tokens = self
            .tokens_table
            .clone()
            .or_else(|| std::env::var(TOKENS_TABLE.var).ok());
        let lockouts = self
            .lockouts_table
            .clone()
            .or_else(|| std::env::var(LOCKOUTS_TABLE.var).ok());
        for (value, flag, var) in [
            (&users, "--users-table", USERS_TABLE.var),
            (&tokens, "--tokens-table", TOKENS_TABLE.var),
            (&lockouts, "--lockouts-table", LOCKOUTS_TABLE.var),
        ] {
            if value.as_deref().is_none_or(|name| name.trim().is_empty()) {
                return Err(format!("no table name: pass {flag} NAME or set {var}").into());
            }
        }
        Ok(Tables::from_lookup(|var| {
            [
                (USERS_TABLE, &users),
                (TOKENS_TABLE, &tokens),
                (LOCKOUTS_TABLE, &lockouts),
            ]
            .into_iter()
            .find(|(setting, _)| setting.var == var)
            .and_then(|(_, value)| value.clone())
        })?)
    }
}

/// A DynamoDB store over the given tables for an administration command (its longer
/// timeouts: [`Limits::Administration`]), after checking that a region and credentials are
/// configured.
pub async fn connect(args: &TableArgs) -> Result<DynamoStore, Error> {
    connect_with(args, Limits::Administration).await
}

/// [`connect`] for `authtoken serve`, with the functions' timeouts ([`Limits::Serving`]).
pub async fn connect_for_serving(args: &TableArgs) -> Result<DynamoStore, Error> {
    connect_with(args, Limits::Serving).await
}

async fn connect_with(args: &TableArgs, limits: Limits) -> Result<DynamoStore, Error> {
    let tables = args.tables()?;
    let config = sdk_config(limits).await;
    if config.region().is_none() {
        return Err(
            "no AWS region: set AWS_REGION (for a local DynamoDB-compatible server any \
                    region will do, e.g. us-east-1)"
                .into(),
        );
    }
    let credentials = match config.credentials_provider() {
        Some(provider) => provider.provide_credentials().await.ok(),
        None => None,
    };
    if credentials.is_none() {
        return Err(
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
                    (any values will do for a local DynamoDB-compatible server), or AWS_PROFILE \
                    to use a profile of ~/.aws/config"
                .into(),
        );
    }
    let sealer = match args.seal_secret() {
        Some(id) => Sealer::from_secret(aws_sdk_secretsmanager::Client::new(&config), id),
        None => Sealer::unconfigured(),
    };
    Ok(DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), tables).with_sealer(sealer))
}

/// The DynamoDB endpoint override from the environment, if any.
pub fn endpoint_override() -> Option<String> {
    override_of("AWS_ENDPOINT_URL_DYNAMODB")
}

/// Whether Secrets Manager calls go to a server on this machine rather than to AWS.
pub fn is_local_secrets_endpoint() -> bool {
    override_of("AWS_ENDPOINT_URL_SECRETS_MANAGER").is_some_and(|url| is_this_machine(&url))
}

/// The endpoint `service_var` or the general `AWS_ENDPOINT_URL` sets, if any.
fn override_of(service_var: &str) -> Option<String> {
    [service_var, "AWS_ENDPOINT_URL"]
        .into_iter()
        .find_map(|var| std::env::var(var).ok().filter(|url| !url.trim().is_empty()))
}

/// True if DynamoDB calls go to a server on this machine rather than to AWS.
pub fn is_local_endpoint() -> bool {
    endpoint_override().is_some_and(|url| is_this_machine(&url))
}

/// Whether `url`'s host is this machine: `localhost`, a loopback address, or an address of one
/// of its own interfaces (such as Docker's bridge, `172.17.0.1`, where a server listens for
/// `sam local`'s containers), which is one a socket can be bound to here. Names other than
/// `localhost` are not looked up.
fn is_this_machine(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(|ip| {
        ip.is_loopback() || (!ip.is_unspecified() && UdpSocket::bind((ip, 0)).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::is_this_machine;

    #[test]
    fn only_this_machines_hosts_are_local() {
        for url in [
            "http://127.0.0.1:8000",
            "http://localhost:5005/",
            "http://[::1]:8000",
            "http://127.1.2.3",
        ] {
            assert!(is_this_machine(url), "{url}");
        }
        for url in [
            "https://dynamodb.eu-west-1.amazonaws.com",
            // TEST-NET-3 (RFC 5737): assigned to no machine.
            "http://203.0.113.9:8000",
            "http://0.0.0.0:8000",
            "http://localhost.evil.com",
        ] {
            assert!(!is_this_machine(url), "{url}");
        }
        // An address of one of this machine's own interfaces besides loopback: the one a UDP
        // socket "connected" towards a TEST-NET-1 address is bound to (connecting a UDP socket
        // sends nothing; it needs a route, which any networked machine has).
        let probe = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
        probe
            .connect("192.0.2.1:9")
            .expect("a route out of this machine, to find an address of its own");
        let own = probe.local_addr().unwrap().ip();
        assert!(!own.is_loopback(), "{own}");
        assert!(is_this_machine(&format!("http://{own}:5005")), "{own}");
    }
}
