//! Settings read once from the environment at start-up, each checked, with errors that name the
//! variable to fix.

use std::env;
use std::ffi::OsString;

pub use crate::lockout::LockoutPolicy;
pub use crate::policy::TokenPolicy;
pub use crate::sliding::SlidingExpiry;
pub use crate::token::TokenFormat;

/// Environment variable: seconds a token lives after it is issued; 0 (the default) = forever.
pub const TOKEN_TTL_VAR: &str = "TOKEN_TTL_SECONDS";
/// Environment variable: the form of issued keys, `hex` (DRF's, the default) or `prefixed`.
pub const TOKEN_FORMAT_VAR: &str = "TOKEN_FORMAT";
/// Environment variable: `per-user` (DRF's one token per user, the default) or `per-login`
/// (knox's new token per login).
pub const TOKEN_POLICY_VAR: &str = "TOKEN_POLICY";
/// Environment variable: under `per-login`, the most live tokens per user (unset or 0 = no
/// limit).
pub const TOKEN_LIMIT_VAR: &str = "TOKEN_LIMIT_PER_USER";
/// Environment variable: `true` for sliding expiry (each authentication renews the lifetime);
/// needs [`TOKEN_TTL_VAR`].
pub const TOKEN_AUTO_REFRESH_VAR: &str = "TOKEN_AUTO_REFRESH";
/// Environment variable: with sliding expiry, the least move of an expiry worth a write, in
/// seconds (default 60).
pub const TOKEN_MIN_REFRESH_VAR: &str = "TOKEN_MIN_REFRESH_SECONDS";
/// Environment variable: with sliding expiry, the longest a token lives from its creation
/// (unset or 0 = no bound).
pub const TOKEN_MAX_TTL_VAR: &str = "TOKEN_MAX_TTL_SECONDS";
/// Environment variable: name of the users table.
pub const USERS_TABLE_VAR: &str = "USERS_TABLE";
/// Environment variable: name of the tokens table.
pub const TOKENS_TABLE_VAR: &str = "TOKENS_TABLE";
/// Environment variable: name of the lockouts table (failed logins per username).
pub const LOCKOUTS_TABLE_VAR: &str = "LOCKOUTS_TABLE";
/// Environment variable: consecutive failed logins that lock a username; 0 = never.
pub const LOCKOUT_THRESHOLD_VAR: &str = "LOGIN_LOCKOUT_THRESHOLD";
/// Environment variable: seconds of the first lock, doubled by each further failure.
pub const LOCKOUT_BASE_VAR: &str = "LOGIN_LOCKOUT_BASE_SECONDS";
/// Environment variable: the longest lock, in seconds.
pub const LOCKOUT_MAX_VAR: &str = "LOGIN_LOCKOUT_MAX_SECONDS";
/// Environment variable: failures from any sources that lock a username for every source.
pub const LOCKOUT_ACCOUNT_VAR: &str = "LOGIN_LOCKOUT_ACCOUNT_THRESHOLD";
/// Environment variable: login attempts one source may make per window (0 = no limit).
pub const SOURCE_THRESHOLD_VAR: &str = "LOGIN_SOURCE_THRESHOLD";
/// Environment variable: the window of [`SOURCE_THRESHOLD_VAR`], in seconds.
pub const SOURCE_WINDOW_VAR: &str = "LOGIN_SOURCE_WINDOW_SECONDS";
/// Environment variable: the AWS region (Lambda sets it).
pub const REGION_VAR: &str = "AWS_REGION";
/// Environment variable: another DynamoDB endpoint, such as a local server.
pub const ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_DYNAMODB";
/// Variable pointing the functions' Secrets Manager client at another endpoint (local testing).
pub const SECRETS_ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_SECRETS_MANAGER";
/// Environment variable: a PEM bundle of certificate authorities to trust instead of Amazon's.
pub const CERT_FILE_VAR: &str = "SSL_CERT_FILE";
/// Environment variable: a directory of certificate authorities to trust instead of Amazon's.
pub const CERT_DIR_VAR: &str = "SSL_CERT_DIR";

/// A setting that is missing or cannot be used. Its `Debug` is its message, since a function's
/// `main` reports a start-up error with `Debug` (`Error: USERS_TABLE is not set ...`).
#[derive(PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is unset or empty.
    #[error("{0} is not set (see docs/CONFIGURATION.md)")]
    Missing(&'static str),
    /// A variable's value is not acceptable.
    #[error("{var} is {value:?}, but it must be {expected}")]
    Invalid {
        /// The variable's name.
        var: &'static str,
        /// What it held.
        value: String,
        /// What it should hold.
        expected: &'static str,
    },
    /// The HTTPS client for DynamoDB could not be set up.
    #[error("the HTTPS client could not be set up: {0}")]
    HttpClient(String),
}

impl std::fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// Behaviour settings shared by every handler. The default is the deployed default: tokens
/// that never expire, and lockout after 5 failures ([`LockoutPolicy::default`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// How long a token lives after it is issued, in seconds; `None` = until logout (DRF).
    pub token_ttl_seconds: Option<u64>,
    /// When failed logins lock a username.
    pub lockout: LockoutPolicy,
    /// The form of the keys issued (both forms are accepted whatever it is).
    pub token_format: TokenFormat,
    /// Whether logins share one token per user or issue one each.
    pub token_policy: TokenPolicy,
    /// Sliding expiry, when it is on.
    pub token_refresh: Option<SlidingExpiry>,
}

impl Settings {
    /// Reads [`TOKEN_TTL_VAR`] and the lockout variables from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|var| env::var(var).ok())
    }

    /// Reads the settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let token_ttl_seconds = match lookup(TOKEN_TTL_VAR).as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => match text.parse::<u64>() {
                Ok(0) => None,
                // Ten years: anything longer is a typo, and epoch arithmetic stays far from overflow.
                Ok(seconds) if seconds <= 10 * 365 * 24 * 3600 => Some(seconds),
                _ => {
                    return Err(ConfigError::Invalid {
                        var: TOKEN_TTL_VAR,
                        value: text.to_owned(),
                        expected: "a whole number of seconds from 0 (never expire) to 315360000",
                    });
                }
            },
        };
        let token_format = match lookup(TOKEN_FORMAT_VAR).as_deref().map(str::trim) {
            None | Some("" | "hex") => TokenFormat::Hex,
            Some("prefixed") => TokenFormat::Prefixed,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    var: TOKEN_FORMAT_VAR,
                    value: other.to_owned(),
                    expected: "hex (40 hex characters, DRF's) or prefixed (atk_...)",
                });
            }
        };
        Ok(Self {
            token_ttl_seconds,
            lockout: lockout_policy(&lookup)?,
            token_format,
            token_policy: token_policy(&lookup)?,
            token_refresh: sliding_expiry(&lookup, token_ttl_seconds)?,
        })
    }
}

impl Settings {
    /// The environment that [`Settings::from_lookup`] reads back as these settings: every
    /// variable it reads, set (a process given them, such as `authtoken serve` under test,
    /// runs with exactly these settings, whatever its own environment holds).
    pub fn to_env(&self) -> Vec<(&'static str, String)> {
        let lockout = &self.lockout;
        let (policy, limit) = match self.token_policy {
            TokenPolicy::PerUser => ("per-user", None),
            TokenPolicy::PerLogin { limit } => ("per-login", limit),
        };
        let format = match self.token_format {
            TokenFormat::Hex => "hex",
            TokenFormat::Prefixed => "prefixed",
        };
        let refresh = self.token_refresh.as_ref();
        vec![
            (
                TOKEN_TTL_VAR,
                self.token_ttl_seconds.unwrap_or(0).to_string(),
            ),
            (TOKEN_FORMAT_VAR, format.to_owned()),
            (TOKEN_POLICY_VAR, policy.to_owned()),
            (TOKEN_LIMIT_VAR, limit.unwrap_or(0).to_string()),
            (TOKEN_AUTO_REFRESH_VAR, refresh.is_some().to_string()),
            (
                TOKEN_MIN_REFRESH_VAR,
                refresh
                    .map_or(60, |sliding| sliding.min_refresh_seconds)
                    .to_string(),
            ),
            (
                TOKEN_MAX_TTL_VAR,
                refresh
                    .and_then(|sliding| sliding.max_ttl_seconds)
                    .unwrap_or(0)
                    .to_string(),
            ),
            (LOCKOUT_THRESHOLD_VAR, lockout.threshold.to_string()),
            (LOCKOUT_BASE_VAR, lockout.base_seconds.to_string()),
            (LOCKOUT_MAX_VAR, lockout.max_seconds.to_string()),
            (LOCKOUT_ACCOUNT_VAR, lockout.account_threshold.to_string()),
            (SOURCE_THRESHOLD_VAR, lockout.source_threshold.to_string()),
            (SOURCE_WINDOW_VAR, lockout.source_window_seconds.to_string()),
        ]
    }
}

/// [`TOKEN_AUTO_REFRESH_VAR`] and, when it is `true`, the interval and the bound; `None` when it
/// is off (the other two are then not read).
fn sliding_expiry(
    lookup: &impl Fn(&str) -> Option<String>,
    ttl: Option<u64>,
) -> Result<Option<SlidingExpiry>, ConfigError> {
    match lookup(TOKEN_AUTO_REFRESH_VAR).as_deref().map(str::trim) {
        None | Some("" | "false") => return Ok(None),
        Some("true") => {}
        Some(other) => {
            return Err(ConfigError::Invalid {
                var: TOKEN_AUTO_REFRESH_VAR,
                value: other.to_owned(),
                expected: "true or false",
            });
        }
    }
    let Some(ttl_seconds) = ttl else {
        return Err(ConfigError::Invalid {
            var: TOKEN_AUTO_REFRESH_VAR,
            value: "true".to_owned(),
            expected: "false unless TOKEN_TTL_SECONDS is above 0 (the lifetime each use renews)",
        });
    };
    let seconds = |var: &'static str, default: u64| match lookup(var).as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|value| *value <= 10 * 365 * 24 * 3600)
            .ok_or_else(|| ConfigError::Invalid {
                var,
                value: text.to_owned(),
                expected: "a whole number of seconds from 0 to 315360000",
            }),
    };
    let min_refresh_seconds = seconds(TOKEN_MIN_REFRESH_VAR, 60)?;
    let max_ttl_seconds = match seconds(TOKEN_MAX_TTL_VAR, 0)? {
        0 => None,
        max if max < ttl_seconds => {
            return Err(ConfigError::Invalid {
                var: TOKEN_MAX_TTL_VAR,
                value: max.to_string(),
                expected: "0 (no bound) or at least TOKEN_TTL_SECONDS",
            });
        }
        max => Some(max),
    };
    Ok(Some(SlidingExpiry {
        ttl_seconds,
        min_refresh_seconds,
        max_ttl_seconds,
    }))
}

/// [`TOKEN_POLICY_VAR`] and, under `per-login`, [`TOKEN_LIMIT_VAR`] (which `per-user` refuses,
/// rather than ignore a limit it would not enforce).
fn token_policy(lookup: &impl Fn(&str) -> Option<String>) -> Result<TokenPolicy, ConfigError> {
    let limit = match lookup(TOKEN_LIMIT_VAR).as_deref().map(str::trim) {
        None | Some("" | "0") => None,
        Some(text) => match text.parse::<u32>() {
            Ok(limit)
                if usize::try_from(limit)
                    .is_ok_and(|limit| limit <= crate::policy::MAX_TOKENS_PER_USER) =>
            {
                Some(limit)
            }
            _ => {
                return Err(ConfigError::Invalid {
                    var: TOKEN_LIMIT_VAR,
                    value: text.to_owned(),
                    expected: "a whole number from 1 to 1000, or 0 (or unset) for no limit",
                });
            }
        },
    };
    match lookup(TOKEN_POLICY_VAR).as_deref().map(str::trim) {
        None | Some("" | "per-user") if limit.is_none() => Ok(TokenPolicy::PerUser),
        None | Some("" | "per-user") => Err(ConfigError::Invalid {
            var: TOKEN_LIMIT_VAR,
            value: limit.map(|limit| limit.to_string()).unwrap_or_default(),
            expected: "unset: it applies to TOKEN_POLICY=per-login only",
        }),
        Some("per-login") => Ok(TokenPolicy::PerLogin { limit }),
        Some(other) => Err(ConfigError::Invalid {
            var: TOKEN_POLICY_VAR,
            value: other.to_owned(),
            expected: "per-user (one token per user, DRF's) or per-login (one per login, knox's)",
        }),
    }
}

/// The lockout variables, each defaulting to [`LockoutPolicy::default`]'s value.
fn lockout_policy(lookup: &impl Fn(&str) -> Option<String>) -> Result<LockoutPolicy, ConfigError> {
    let defaults = LockoutPolicy::default();
    let number = |var: &'static str,
                  default: u64,
                  allowed: std::ops::RangeInclusive<u64>,
                  expected: &'static str| {
        match lookup(var).as_deref().map(str::trim) {
            None | Some("") => Ok(default),
            Some(text) => match text.parse::<u64>() {
                Ok(value) if allowed.contains(&value) => Ok(value),
                _ => Err(ConfigError::Invalid {
                    var,
                    value: text.to_owned(),
                    expected,
                }),
            },
        }
    };
    let seconds = "a whole number of seconds from 1 to 86400";
    let threshold = number(
        LOCKOUT_THRESHOLD_VAR,
        u64::from(defaults.threshold),
        0..=1000,
        "a whole number of failures from 0 (no lockout) to 1000",
    )?;
    let base_seconds = number(LOCKOUT_BASE_VAR, defaults.base_seconds, 1..=86_400, seconds)?;
    let max_seconds = number(LOCKOUT_MAX_VAR, defaults.max_seconds, 1..=86_400, seconds)?;
    if max_seconds < base_seconds {
        return Err(ConfigError::Invalid {
            var: LOCKOUT_MAX_VAR,
            value: max_seconds.to_string(),
            expected: "at least LOGIN_LOCKOUT_BASE_SECONDS",
        });
    }
    let account_threshold = number(
        LOCKOUT_ACCOUNT_VAR,
        u64::from(defaults.account_threshold).max(threshold),
        threshold..=10_000,
        "a whole number of failures, at least LOGIN_LOCKOUT_THRESHOLD, at most 10000",
    )?;
    let source_threshold = number(
        SOURCE_THRESHOLD_VAR,
        u64::from(defaults.source_threshold),
        0..=1_000_000,
        "a whole number of attempts from 0 (no limit) to 1000000",
    )?;
    let source_window_seconds = number(
        SOURCE_WINDOW_VAR,
        defaults.source_window_seconds,
        1..=86_400,
        seconds,
    )?;
    let count = |value: u64| u32::try_from(value).unwrap_or(u32::MAX);
    Ok(LockoutPolicy {
        threshold: count(threshold),
        base_seconds,
        max_seconds,
        account_threshold: count(account_threshold),
        source_threshold: count(source_threshold),
        source_window_seconds,
    })
}

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
    /// Reads [`USERS_TABLE_VAR`], [`TOKENS_TABLE_VAR`] and [`LOCKOUTS_TABLE_VAR`] from the
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
            users: read(USERS_TABLE_VAR)?,
            tokens: read(TOKENS_TABLE_VAR)?,
            lockouts: read(LOCKOUTS_TABLE_VAR)?,
        })
    }
}

/// What the functions' DynamoDB client is built from: the region Lambda sets, and the variables
/// that point the client at another endpoint or another trust store. (Credentials are read by
/// the SDK's environment provider, when a request is signed.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientEnv {
    /// [`REGION_VAR`], required.
    pub region: String,
    /// [`ENDPOINT_VAR`], unless unset or blank (template.yaml declares it empty so that
    /// `sam local invoke --env-vars` may set it; empty means DynamoDB's own endpoint).
    pub endpoint: Option<String>,
    /// [`SECRETS_ENDPOINT_VAR`], unless unset or blank: Secrets Manager's own endpoint.
    pub secrets_endpoint: Option<String>,
    /// [`crate::seal::SEAL_SECRET_VAR`], unless unset or blank: the seal secret's ARN or name.
    pub seal_secret: Option<String>,
    /// [`CERT_FILE_VAR`], unless unset or empty.
    pub cert_file: Option<OsString>,
    /// [`CERT_DIR_VAR`], unless unset or empty.
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
            region: text(REGION_VAR)?.ok_or(ConfigError::Missing(REGION_VAR))?,
            endpoint: text(ENDPOINT_VAR)?,
            secrets_endpoint: text(SECRETS_ENDPOINT_VAR)?,
            seal_secret: text(crate::seal::SEAL_SECRET_VAR)?,
            cert_file: path(CERT_FILE_VAR),
            cert_dir: path(CERT_DIR_VAR),
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
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |var| map.get(var).cloned()
    }

    /// Settings of every kind the tests use, each read back from its own environment.
    #[test]
    fn settings_read_back_from_their_environment() {
        let variants = [
            Settings::default(),
            Settings {
                token_ttl_seconds: Some(3600),
                token_format: TokenFormat::Prefixed,
                token_policy: TokenPolicy::PerLogin { limit: Some(3) },
                token_refresh: Some(SlidingExpiry {
                    ttl_seconds: 3600,
                    min_refresh_seconds: 5,
                    max_ttl_seconds: Some(7200),
                }),
                lockout: LockoutPolicy {
                    threshold: 2,
                    base_seconds: 2,
                    max_seconds: 4,
                    account_threshold: 7,
                    source_threshold: 0,
                    source_window_seconds: 60,
                },
            },
            Settings {
                token_policy: TokenPolicy::PerLogin { limit: None },
                lockout: LockoutPolicy {
                    threshold: 0,
                    ..LockoutPolicy::default()
                },
                ..Settings::default()
            },
        ];
        for settings in variants {
            let env: HashMap<&str, String> = settings.to_env().into_iter().collect();
            let read = Settings::from_lookup(|var| env.get(var).cloned()).unwrap();
            assert_eq!(read, settings, "{env:?}");
        }
    }

    #[test]
    fn ttl_defaults_to_never() {
        assert_eq!(
            Settings::from_lookup(lookup(&[]))
                .unwrap()
                .token_ttl_seconds,
            None
        );
        let zero = Settings::from_lookup(lookup(&[(TOKEN_TTL_VAR, "0")])).unwrap();
        assert_eq!(zero.token_ttl_seconds, None);
    }

    #[test]
    fn ttl_is_read_in_seconds() {
        let settings = Settings::from_lookup(lookup(&[(TOKEN_TTL_VAR, " 3600 ")])).unwrap();
        assert_eq!(settings.token_ttl_seconds, Some(3600));
    }

    #[test]
    fn a_bad_ttl_names_the_variable() {
        for bad in ["-1", "1h", "1.5", "999999999999"] {
            let error = Settings::from_lookup(lookup(&[(TOKEN_TTL_VAR, bad)])).unwrap_err();
            assert!(
                error.to_string().starts_with("TOKEN_TTL_SECONDS is"),
                "{error}"
            );
        }
    }

    fn os_lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let text = lookup(pairs);
        move |var| text(var).map(OsString::from)
    }

    #[test]
    fn the_client_needs_a_region() {
        let error = ClientEnv::from_lookup(os_lookup(&[])).unwrap_err();
        assert_eq!(error, ConfigError::Missing(REGION_VAR));
        let error = ClientEnv::from_lookup(os_lookup(&[(REGION_VAR, " ")])).unwrap_err();
        assert_eq!(error, ConfigError::Missing(REGION_VAR));
    }

    #[test]
    fn an_unset_or_blank_endpoint_means_dynamodbs_own() {
        for endpoint in [None, Some(""), Some("  ")] {
            let mut pairs = vec![(REGION_VAR, "eu-west-1")];
            pairs.extend(endpoint.map(|value| (ENDPOINT_VAR, value)));
            let env = ClientEnv::from_lookup(os_lookup(&pairs)).unwrap();
            assert_eq!(env.endpoint, None, "{endpoint:?}");
        }
    }

    #[test]
    fn a_set_endpoint_and_certificate_paths_are_read() {
        let env = ClientEnv::from_lookup(os_lookup(&[
            (REGION_VAR, "eu-west-1"),
            (ENDPOINT_VAR, "http://host.docker.internal:5005"),
            (CERT_FILE_VAR, "/etc/ca.pem"),
            (CERT_DIR_VAR, ""),
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
        let error = Tables::from_lookup(lookup(&[(TOKENS_TABLE_VAR, "tokens")])).unwrap_err();
        assert!(
            error.to_string().starts_with("USERS_TABLE is not set"),
            "{error}"
        );
        let error = Tables::from_lookup(lookup(&[
            (USERS_TABLE_VAR, "users"),
            (TOKENS_TABLE_VAR, "a b"),
        ]))
        .unwrap_err();
        assert!(
            error.to_string().starts_with("TOKENS_TABLE is \"a b\""),
            "{error}"
        );
        let error = Tables::from_lookup(lookup(&[
            (USERS_TABLE_VAR, "users"),
            (TOKENS_TABLE_VAR, "tokens"),
        ]))
        .unwrap_err();
        assert!(
            error.to_string().starts_with("LOCKOUTS_TABLE is not set"),
            "{error}"
        );
        let tables = Tables::from_lookup(lookup(&[
            (USERS_TABLE_VAR, "users"),
            (TOKENS_TABLE_VAR, "tokens"),
            (LOCKOUTS_TABLE_VAR, "lockouts"),
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

    #[test]
    fn lockout_defaults_to_five_failures_one_second_and_fifteen_minutes() {
        let settings = Settings::from_lookup(lookup(&[])).unwrap();
        assert_eq!(settings.lockout, LockoutPolicy::default());
        assert_eq!(
            (
                settings.lockout.threshold,
                settings.lockout.base_seconds,
                settings.lockout.max_seconds
            ),
            (5, 1, 900)
        );
        let off = Settings::from_lookup(lookup(&[(LOCKOUT_THRESHOLD_VAR, "0")])).unwrap();
        assert!(!off.lockout.is_on());
        let custom = Settings::from_lookup(lookup(&[
            (LOCKOUT_THRESHOLD_VAR, "3"),
            (LOCKOUT_BASE_VAR, " 30 "),
            (LOCKOUT_MAX_VAR, "3600"),
        ]))
        .unwrap();
        assert_eq!(
            custom.lockout,
            LockoutPolicy {
                threshold: 3,
                base_seconds: 30,
                max_seconds: 3600,
                ..LockoutPolicy::default()
            }
        );
    }

    #[test]
    fn the_token_format_is_hex_unless_prefixed_is_asked_for() {
        let default = Settings::from_lookup(lookup(&[])).unwrap();
        assert_eq!(default.token_format, TokenFormat::Hex);
        let prefixed = Settings::from_lookup(lookup(&[(TOKEN_FORMAT_VAR, " prefixed ")])).unwrap();
        assert_eq!(prefixed.token_format, TokenFormat::Prefixed);
        let error = Settings::from_lookup(lookup(&[(TOKEN_FORMAT_VAR, "base64")])).unwrap_err();
        assert!(
            error.to_string().starts_with("TOKEN_FORMAT is \"base64\""),
            "{error}"
        );
    }

    #[test]
    fn a_bad_lockout_setting_names_its_variable() {
        for (var, value) in [
            (LOCKOUT_THRESHOLD_VAR, "-1"),
            (LOCKOUT_THRESHOLD_VAR, "1001"),
            (LOCKOUT_BASE_VAR, "0"),
            (LOCKOUT_BASE_VAR, "1.5"),
            (LOCKOUT_MAX_VAR, "86401"),
            (LOCKOUT_ACCOUNT_VAR, "4"),
            (SOURCE_THRESHOLD_VAR, "-3"),
            (SOURCE_WINDOW_VAR, "0"),
        ] {
            let error = Settings::from_lookup(lookup(&[(var, value)])).unwrap_err();
            assert!(error.to_string().starts_with(var), "{var}={value}: {error}");
        }
        let raised = Settings::from_lookup(lookup(&[(LOCKOUT_THRESHOLD_VAR, "50")])).unwrap();
        assert_eq!(
            raised.lockout.account_threshold, 50,
            "the account-wide threshold is at least the threshold"
        );
        let sources = Settings::from_lookup(lookup(&[
            (SOURCE_THRESHOLD_VAR, "30"),
            (SOURCE_WINDOW_VAR, "600"),
            (LOCKOUT_ACCOUNT_VAR, "12"),
        ]))
        .unwrap();
        assert_eq!(
            (
                sources.lockout.source_threshold,
                sources.lockout.source_window_seconds,
                sources.lockout.account_threshold
            ),
            (30, 600, 12)
        );
        let error =
            Settings::from_lookup(lookup(&[(LOCKOUT_BASE_VAR, "60"), (LOCKOUT_MAX_VAR, "30")]))
                .unwrap_err();
        assert_eq!(
            error.to_string(),
            "LOGIN_LOCKOUT_MAX_SECONDS is \"30\", but it must be at least LOGIN_LOCKOUT_BASE_SECONDS"
        );
    }

    #[test]
    fn the_policy_is_per_user_unless_per_login_is_asked_for_with_its_limit() {
        let default = Settings::from_lookup(lookup(&[])).unwrap();
        assert_eq!(default.token_policy, TokenPolicy::PerUser);
        let knox = Settings::from_lookup(lookup(&[(TOKEN_POLICY_VAR, " per-login ")])).unwrap();
        assert_eq!(knox.token_policy, TokenPolicy::PerLogin { limit: None });
        let limited = Settings::from_lookup(lookup(&[
            (TOKEN_POLICY_VAR, "per-login"),
            (TOKEN_LIMIT_VAR, "3"),
        ]))
        .unwrap();
        assert_eq!(
            limited.token_policy,
            TokenPolicy::PerLogin { limit: Some(3) }
        );
        // The template always sets the variable: 0 is no limit, under either policy.
        for policy in ["per-user", "per-login"] {
            let unlimited = Settings::from_lookup(lookup(&[
                (TOKEN_POLICY_VAR, policy),
                (TOKEN_LIMIT_VAR, "0"),
            ]));
            assert!(unlimited.is_ok(), "{policy}: {unlimited:?}");
        }
        for (policy, limit, var) in [
            ("per-device", "", TOKEN_POLICY_VAR),
            ("per-login", "-1", TOKEN_LIMIT_VAR),
            ("per-login", "1001", TOKEN_LIMIT_VAR),
            ("per-login", "two", TOKEN_LIMIT_VAR),
            ("per-user", "3", TOKEN_LIMIT_VAR),
            ("", "3", TOKEN_LIMIT_VAR),
        ] {
            let error = Settings::from_lookup(lookup(&[
                (TOKEN_POLICY_VAR, policy),
                (TOKEN_LIMIT_VAR, limit),
            ]))
            .unwrap_err();
            assert!(
                error.to_string().starts_with(var),
                "{policy}/{limit}: {error}"
            );
        }
    }

    #[test]
    fn sliding_expiry_is_off_unless_asked_for_and_needs_a_lifetime() {
        let off = Settings::from_lookup(lookup(&[(TOKEN_MIN_REFRESH_VAR, "oops")])).unwrap();
        assert_eq!(off.token_refresh, None, "the interval is not read when off");
        let on = Settings::from_lookup(lookup(&[
            (TOKEN_AUTO_REFRESH_VAR, "true"),
            (TOKEN_TTL_VAR, "3600"),
        ]))
        .unwrap();
        assert_eq!(
            on.token_refresh,
            Some(SlidingExpiry {
                ttl_seconds: 3600,
                min_refresh_seconds: 60,
                max_ttl_seconds: None
            })
        );
        let bounded = Settings::from_lookup(lookup(&[
            (TOKEN_AUTO_REFRESH_VAR, "true"),
            (TOKEN_TTL_VAR, "3600"),
            (TOKEN_MIN_REFRESH_VAR, "0"),
            (TOKEN_MAX_TTL_VAR, "86400"),
        ]))
        .unwrap();
        assert_eq!(
            bounded
                .token_refresh
                .map(|s| (s.min_refresh_seconds, s.max_ttl_seconds)),
            Some((0, Some(86400)))
        );
        for (settings, var) in [
            (
                vec![(TOKEN_AUTO_REFRESH_VAR, "yes")],
                TOKEN_AUTO_REFRESH_VAR,
            ),
            (
                vec![(TOKEN_AUTO_REFRESH_VAR, "true")],
                TOKEN_AUTO_REFRESH_VAR,
            ),
            (
                vec![(TOKEN_AUTO_REFRESH_VAR, "true"), (TOKEN_TTL_VAR, "0")],
                TOKEN_AUTO_REFRESH_VAR,
            ),
            (
                vec![
                    (TOKEN_AUTO_REFRESH_VAR, "true"),
                    (TOKEN_TTL_VAR, "3600"),
                    (TOKEN_MIN_REFRESH_VAR, "-1"),
                ],
                TOKEN_MIN_REFRESH_VAR,
            ),
            (
                vec![
                    (TOKEN_AUTO_REFRESH_VAR, "true"),
                    (TOKEN_TTL_VAR, "3600"),
                    (TOKEN_MAX_TTL_VAR, "60"),
                ],
                TOKEN_MAX_TTL_VAR,
            ),
        ] {
            let error = Settings::from_lookup(lookup(&settings)).unwrap_err();
            assert!(error.to_string().starts_with(var), "{settings:?}: {error}");
        }
    }
}
