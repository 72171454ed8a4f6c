//! What the DynamoDB store is built from: the names of its three tables, and the variables that
//! its clients (DynamoDB's, and the seal secret's Secrets Manager) are configured from. Each
//! variable is declared in [`crate::manifest::settings`].

use std::env;
use std::ffi::OsString;

use crate::config::ConfigError;
use crate::manifest::settings::{
    CERT_DIR, CERT_FILE, DYNAMODB_ENDPOINT, LOCKOUTS_TABLE, REGION, SEAL_SECRET, SECRETS_ENDPOINT,
    SES_ENDPOINT, SQS_ENDPOINT, TOKENS_TABLE, USERS_TABLE,
};

/// The names of the three DynamoDB tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    /// Users, keyed by `username`.
    pub users: String,
    /// Tokens, keyed by the digest of the key.
    pub tokens: String,
    /// Failed logins, keyed by the username as submitted (users or not).
    pub lockouts: String,
}

impl Tables {
    /// Reads [`USERS_TABLE`], [`TOKENS_TABLE`] and [`LOCKOUTS_TABLE`] from the
    /// environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|var| env::var(var).ok())
    }

    /// Reads the table names through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let read = |var: &'static str| {
            let value = lookup(var).map(|v| v.trim().to_owned()).unwrap_or_default();
            if value.is_empty() {
                return Err(ConfigError::Missing(var));
            }
            if !is_valid_table_name(&value) {
                return Err(ConfigError::Invalid {
                    var,
                    value,
                    expected: "a DynamoDB table name: 3 to 255 of a-z A-Z 0-9 _ - .",
                });
            }
            Ok(value)
        };
        Ok(Self {
            users: read(USERS_TABLE.var)?,
            tokens: read(TOKENS_TABLE.var)?,
            lockouts: read(LOCKOUTS_TABLE.var)?,
        })
    }
}

/// What the functions' DynamoDB client is built from: the region Lambda sets, and the variables
/// that point the client at another endpoint or another trust store. (Credentials are read by
/// the SDK's environment provider, when a request is signed.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientEnv {
    /// [`REGION`], required.
    pub region: String,
    /// [`DYNAMODB_ENDPOINT`], unless unset or blank (template.yaml declares it empty so that
    /// `sam local invoke --env-vars` may set it; empty means DynamoDB's own endpoint).
    pub endpoint: Option<String>,
    /// [`SECRETS_ENDPOINT`], unless unset or blank: Secrets Manager's own endpoint.
    pub secrets_endpoint: Option<String>,
    /// [`SEAL_SECRET`], unless unset or blank: the seal secret's ARN or name.
    pub seal_secret: Option<String>,
    /// [`SQS_ENDPOINT`], unless unset or blank: SQS's own endpoint.
    pub sqs_endpoint: Option<String>,
    /// [`SES_ENDPOINT`], unless unset or blank: SES's own endpoint.
    pub ses_endpoint: Option<String>,
    /// [`CERT_FILE`], unless unset or empty.
    pub cert_file: Option<OsString>,
    /// [`CERT_DIR`], unless unset or empty.
    pub cert_dir: Option<OsString>,
}

impl ClientEnv {
    /// Reads the variables from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|var| env::var_os(var))
    }

    /// Reads the variables through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Result<Self, ConfigError> {
        let text = |var: &'static str| match lookup(var).map(OsString::into_string) {
            None => Ok(None),
            Some(Ok(value)) => Ok(Some(value.trim().to_owned()).filter(|v| !v.is_empty())),
            Some(Err(value)) => Err(ConfigError::Invalid {
                var,
                value: value.to_string_lossy().into_owned(),
                expected: "UTF-8 text",
            }),
        };
        let path = |var: &str| lookup(var).filter(|value| !value.is_empty());
        Ok(Self {
            region: text(REGION.var)?.ok_or(ConfigError::Missing(REGION.var))?,
            endpoint: text(DYNAMODB_ENDPOINT.var)?,
            secrets_endpoint: text(SECRETS_ENDPOINT.var)?,
            seal_secret: text(SEAL_SECRET.var)?,
            sqs_endpoint: text(SQS_ENDPOINT.var)?,
            ses_endpoint: text(SES_ENDPOINT.var)?,
            cert_file: path(CERT_FILE.var),
            cert_dir: path(CERT_DIR.var),
        })
    }
}

fn is_valid_table_name(name: &str) -> bool {
    (3..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::lookup;

    fn os_lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let text = lookup(pairs);
        move |var| text(var).map(OsString::from)
    }

    #[test]
    fn the_client_needs_a_region() {
        let error = ClientEnv::from_lookup(os_lookup(&[])).unwrap_err();
        assert_eq!(error, ConfigError::Missing(REGION.var));
        let error = ClientEnv::from_lookup(os_lookup(&[(REGION.var, " ")])).unwrap_err();
        assert_eq!(error, ConfigError::Missing(REGION.var));
    }

    #[test]
    fn an_unset_or_blank_endpoint_means_dynamodbs_own() {
        for endpoint in [None, Some(""), Some("  ")] {
            let mut pairs = vec![(REGION.var, "eu-west-1")];
            pairs.extend(endpoint.map(|value| (DYNAMODB_ENDPOINT.var, value)));
            let env = ClientEnv::from_lookup(os_lookup(&pairs)).unwrap();
            assert_eq!(env.endpoint, None, "{endpoint:?}");
        }
    }

    #[test]
    fn a_set_endpoint_and_certificate_paths_are_read() {
        let env = ClientEnv::from_lookup(os_lookup(&[
            (REGION.var, "eu-west-1"),
            (DYNAMODB_ENDPOINT.var, "http://host.docker.internal:5005"),
            (CERT_FILE.var, "/etc/ca.pem"),
            (CERT_DIR.var, ""),
        ]))
        .unwrap();
        assert_eq!(env.region, "eu-west-1");
        assert_eq!(
            env.endpoint.as_deref(),
            Some("http://host.docker.internal:5005")
        );
        assert_eq!(env.cert_file, Some(OsString::from("/etc/ca.pem")));
        assert_eq!(env.cert_dir, None);
    }

    #[test]
    fn tables_are_required_and_checked() {
        let error = Tables::from_lookup(lookup(&[(TOKENS_TABLE.var, "tokens")])).unwrap_err();
        assert!(
            error.to_string().starts_with("USERS_TABLE is not set"),
            "{error}"
        );
        let error = Tables::from_lookup(lookup(&[
            (USERS_TABLE.var, "users"),
            (TOKENS_TABLE.var, "a b"),
        ]))
        .unwrap_err();
        assert!(
            error.to_string().starts_with("TOKENS_TABLE is \"a b\""),
            "{error}"
        );
        let error = Tables::from_lookup(lookup(&[
            (USERS_TABLE.var, "users"),
            (TOKENS_TABLE.var, "tokens"),
        ]))
        .unwrap_err();
        assert!(
            error.to_string().starts_with("LOCKOUTS_TABLE is not set"),
            "{error}"
        );
        let tables = Tables::from_lookup(lookup(&[
            (USERS_TABLE.var, "users"),
            (TOKENS_TABLE.var, "tokens"),
            (LOCKOUTS_TABLE.var, "lockouts"),
        ]))
        .unwrap();
        assert_eq!(
            tables,
            Tables {
                users: "users".into(),
                tokens: "tokens".into(),
                lockouts: "lockouts".into(),
            }
        );
    }
}
