//! Settings read once from the environment at start-up, each checked, with errors that name the
//! variable to fix. Each variable is declared once, in [`crate::manifest::settings`], with its
//! default and bounds; this module turns them into typed settings.

use std::env;

pub use crate::lockout::LockoutPolicy;
use crate::manifest::settings::{
    ACTIVATION_TIMEOUT, ACTIVATION_URL, DOMAIN, EMAIL_FROM, MAIL_LIMIT_PER_ADDRESS,
    MAIL_LIMIT_PER_SOURCE, PASSWORD_CHANGED_EMAIL_CONFIRMATION, PASSWORD_RESET_CONFIRM_RETYPE,
    PASSWORD_RESET_CONFIRM_URL, PASSWORD_RESET_TIMEOUT, PROTOCOL, SEND_ACTIVATION_EMAIL,
    SEND_CONFIRMATION_EMAIL, SITE_NAME,
};
use crate::manifest::settings::{
    Allowed, LOCKOUT_ACCOUNT, LOCKOUT_BASE, LOCKOUT_MAX, LOCKOUT_THRESHOLD,
    LOGOUT_ON_PASSWORD_CHANGE, PASSWORD_BREACH_API, PASSWORD_BREACH_CHECK, PASSWORD_MIN_LENGTH,
    PASSWORD_VALIDATORS, REGISTRATION, SET_PASSWORD_RETYPE, SOURCE_THRESHOLD, SOURCE_WINDOW,
    Setting, TOKEN_AUTO_REFRESH, TOKEN_FORMAT, TOKEN_LIMIT, TOKEN_MAX_TTL, TOKEN_MIN_REFRESH,
    TOKEN_POLICY, TOKEN_TTL, USERNAME_CASE_INSENSITIVE,
};
pub use crate::policy::TokenPolicy;
pub use crate::secrets::breaches::BreachCheck;
pub use crate::secrets::token::TokenFormat;
pub use crate::secrets::validators::PasswordRules;
pub use crate::sliding::SlidingExpiry;
pub use crate::username::NameCase;

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

/// Behaviour settings shared by every handler. The default is what an empty environment reads
/// as: every declared default (tokens that never expire, DRF's keys, one token per user,
/// lockout after 5 failures).
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// How users change their own accounts.
    pub accounts: AccountSettings,
    /// Whether usernames match exactly or regardless of case.
    pub usernames: NameCase,
    /// The emailed links: what they look like, how long they live, how many are sent.
    pub mail: MailSettings,
}

/// The emailed links (a password reset): the sender, where links point, their lifetime, and the
/// sending limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// `EMAIL_FROM`; empty when email is off.
    pub from: String,
    /// `DOMAIN`: the front-end's host; empty when not set.
    pub domain: String,
    /// `SITE_NAME`; empty = the domain.
    pub site_name: String,
    /// `PROTOCOL`: `https` or `http`.
    pub protocol: String,
    /// `PASSWORD_RESET_CONFIRM_URL`, with `{uid}` and `{token}`.
    pub reset_confirm_url: String,
    /// `PASSWORD_RESET_TIMEOUT_SECONDS`.
    pub reset_lifetime_seconds: u64,
    /// `PASSWORD_RESET_CONFIRM_RETYPE`.
    pub reset_confirm_retype: bool,
    /// `MAIL_LIMIT_PER_ADDRESS`: requests carried out per address and hour.
    pub per_address_limit: u32,
    /// `MAIL_LIMIT_PER_SOURCE`: requests carried out per client address and hour.
    pub per_source_limit: u32,
    /// `SEND_ACTIVATION_EMAIL`: new users and new addresses wait for an emailed link.
    pub send_activation: bool,
    /// `ACTIVATION_URL`, with `{uid}` and `{token}`.
    pub activation_url: String,
    /// `ACTIVATION_TIMEOUT_SECONDS`.
    pub activation_lifetime_seconds: u64,
    /// `SEND_CONFIRMATION_EMAIL`: a notice once an account is active.
    pub send_confirmation: bool,
    /// `PASSWORD_CHANGED_EMAIL_CONFIRMATION`: a notice when a password is changed.
    pub password_changed_notice: bool,
}

impl MailSettings {
    /// Whether the functions send email besides password resets: activation links or notices,
    /// which registration, address and password changes queue.
    pub fn sends_account_email(&self) -> bool {
        self.send_activation || self.send_confirmation || self.password_changed_notice
    }

    /// Reads them through `lookup` (the environment, or a map in tests).
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let text = |setting: Setting| setting.raw(lookup).unwrap_or_else(|| default_of(setting));
        let link_page = |setting: Setting| {
            let page = text(setting);
            if page.contains("{uid}") && page.contains("{token}") {
                Ok(page)
            } else {
                Err(setting.invalid(page))
            }
        };
        let on = |setting: Setting| Ok::<_, ConfigError>(setting.word(lookup)? == "true");
        let limit = |setting: Setting| {
            setting
                .number(lookup)
                .map(|value| u32::try_from(value).unwrap_or(u32::MAX))
        };
        Ok(Self {
            from: text(EMAIL_FROM),
            domain: text(DOMAIN),
            site_name: text(SITE_NAME),
            protocol: PROTOCOL.word(lookup)?.to_owned(),
            reset_confirm_url: link_page(PASSWORD_RESET_CONFIRM_URL)?,
            reset_lifetime_seconds: PASSWORD_RESET_TIMEOUT.number(lookup)?,
            reset_confirm_retype: on(PASSWORD_RESET_CONFIRM_RETYPE)?,
            per_address_limit: limit(MAIL_LIMIT_PER_ADDRESS)?,
            per_source_limit: limit(MAIL_LIMIT_PER_SOURCE)?,
            send_activation: on(SEND_ACTIVATION_EMAIL)?,
            activation_url: link_page(ACTIVATION_URL)?,
            activation_lifetime_seconds: ACTIVATION_TIMEOUT.number(lookup)?,
            send_confirmation: on(SEND_CONFIRMATION_EMAIL)?,
            password_changed_notice: on(PASSWORD_CHANGED_EMAIL_CONFIRMATION)?,
        })
    }

    /// These settings for a local run whose server listens on `host` (`127.0.0.1:8000`): the
    /// sender `webmaster@localhost` (Django's default) and links to `http://{host}/` unless
    /// `EMAIL_FROM` and `DOMAIN` say otherwise.
    pub fn with_local_defaults(mut self, host: &str) -> Self {
        if self.from.is_empty() {
            "webmaster@localhost".clone_into(&mut self.from);
        }
        if self.domain.is_empty() {
            host.clone_into(&mut self.domain);
            "http".clone_into(&mut self.protocol);
        }
        self
    }

    /// The environment that reads back as these settings.
    fn to_env(&self) -> Vec<(&'static str, String)> {
        vec![
            (EMAIL_FROM.var, self.from.clone()),
            (DOMAIN.var, self.domain.clone()),
            (SITE_NAME.var, self.site_name.clone()),
            (PROTOCOL.var, self.protocol.clone()),
            (
                PASSWORD_RESET_CONFIRM_URL.var,
                self.reset_confirm_url.clone(),
            ),
            (
                PASSWORD_RESET_TIMEOUT.var,
                self.reset_lifetime_seconds.to_string(),
            ),
            (
                PASSWORD_RESET_CONFIRM_RETYPE.var,
                self.reset_confirm_retype.to_string(),
            ),
            (
                MAIL_LIMIT_PER_ADDRESS.var,
                self.per_address_limit.to_string(),
            ),
            (MAIL_LIMIT_PER_SOURCE.var, self.per_source_limit.to_string()),
            (SEND_ACTIVATION_EMAIL.var, self.send_activation.to_string()),
            (ACTIVATION_URL.var, self.activation_url.clone()),
            (
                ACTIVATION_TIMEOUT.var,
                self.activation_lifetime_seconds.to_string(),
            ),
            (
                SEND_CONFIRMATION_EMAIL.var,
                self.send_confirmation.to_string(),
            ),
            (
                PASSWORD_CHANGED_EMAIL_CONFIRMATION.var,
                self.password_changed_notice.to_string(),
            ),
        ]
    }
}

/// How users change their own accounts through djoser's endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSettings {
    /// The rules every new password must pass.
    pub password_rules: PasswordRules,
    /// Whether `set_password` also asks for `re_new_password` (djoser's `SET_PASSWORD_RETYPE`).
    pub set_password_retype: bool,
    /// Whether a user's own password change revokes every token of theirs (djoser's
    /// `LOGOUT_ON_PASSWORD_CHANGE`).
    pub logout_on_password_change: bool,
    /// Whether anyone may register (`POST /auth/users/`).
    pub registration_open: bool,
}

impl AccountSettings {
    /// Reads them through `lookup` (the environment, or a map in tests).
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            password_rules: PasswordRules::from_lookup(lookup)?,
            set_password_retype: SET_PASSWORD_RETYPE.word(lookup)? == "true",
            logout_on_password_change: LOGOUT_ON_PASSWORD_CHANGE.word(lookup)? == "true",
            registration_open: REGISTRATION.word(lookup)? == "open",
        })
    }
}

impl Settings {
    /// Reads the token and lockout settings from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|var| env::var(var).ok())
    }

    /// Reads the settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let token_ttl_seconds = Some(TOKEN_TTL.number(&lookup)?).filter(|ttl| *ttl > 0);
        let token_format = match TOKEN_FORMAT.word(&lookup)? {
            "prefixed" => TokenFormat::Prefixed,
            _ => TokenFormat::Hex,
        };
        Ok(Self {
            token_ttl_seconds,
            lockout: lockout_policy(&lookup)?,
            token_format,
            token_policy: token_policy(&lookup)?,
            token_refresh: sliding_expiry(&lookup, token_ttl_seconds)?,
            accounts: AccountSettings::from_lookup(&lookup)?,
            usernames: NameCase::from_lookup(&lookup)?,
            mail: MailSettings::from_lookup(&lookup)?,
        })
    }

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
        let min_refresh = refresh.map(|sliding| sliding.min_refresh_seconds);
        let set = |setting: Setting, value: String| (setting.var, value);
        vec![
            set(TOKEN_TTL, self.token_ttl_seconds.unwrap_or(0).to_string()),
            set(TOKEN_FORMAT, format.to_owned()),
            set(TOKEN_POLICY, policy.to_owned()),
            set(TOKEN_LIMIT, limit.unwrap_or(0).to_string()),
            set(TOKEN_AUTO_REFRESH, refresh.is_some().to_string()),
            set(
                TOKEN_MIN_REFRESH,
                min_refresh.map_or_else(|| default_of(TOKEN_MIN_REFRESH), |s| s.to_string()),
            ),
            set(
                TOKEN_MAX_TTL,
                refresh
                    .and_then(|sliding| sliding.max_ttl_seconds)
                    .unwrap_or(0)
                    .to_string(),
            ),
            set(LOCKOUT_THRESHOLD, lockout.threshold.to_string()),
            set(LOCKOUT_BASE, lockout.base_seconds.to_string()),
            set(LOCKOUT_MAX, lockout.max_seconds.to_string()),
            set(LOCKOUT_ACCOUNT, lockout.account_threshold.to_string()),
            set(SOURCE_THRESHOLD, lockout.source_threshold.to_string()),
            set(SOURCE_WINDOW, lockout.source_window_seconds.to_string()),
            set(
                PASSWORD_VALIDATORS,
                self.accounts.password_rules.enabled.to_string(),
            ),
            set(
                PASSWORD_MIN_LENGTH,
                self.accounts.password_rules.min_length.to_string(),
            ),
            set(
                PASSWORD_BREACH_CHECK,
                self.accounts.password_rules.breaches.is_some().to_string(),
            ),
            set(
                PASSWORD_BREACH_API,
                self.accounts.password_rules.breaches.as_ref().map_or_else(
                    || default_of(PASSWORD_BREACH_API),
                    |breaches| breaches.range_api().to_owned(),
                ),
            ),
            set(
                SET_PASSWORD_RETYPE,
                self.accounts.set_password_retype.to_string(),
            ),
            set(
                LOGOUT_ON_PASSWORD_CHANGE,
                self.accounts.logout_on_password_change.to_string(),
            ),
            set(
                REGISTRATION,
                if self.accounts.registration_open {
                    "open"
                } else {
                    "closed"
                }
                .to_owned(),
            ),
            set(
                USERNAME_CASE_INSENSITIVE,
                (self.usernames == NameCase::Insensitive).to_string(),
            ),
        ]
        .into_iter()
        .chain(self.mail.to_env())
        .collect()
    }
}

/// Reading a declared setting through a lookup (the environment, or a map in tests).
impl PasswordRules {
    /// Reads `PASSWORD_VALIDATORS` and `PASSWORD_MIN_LENGTH` from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|var| env::var(var).ok())
    }

    /// Reads them through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let min_length = PASSWORD_MIN_LENGTH.number(&lookup)?;
        let breaches = if PASSWORD_BREACH_CHECK.word(&lookup)? == "true" {
            let api = PASSWORD_BREACH_API
                .raw(&lookup)
                .unwrap_or_else(|| default_of(PASSWORD_BREACH_API));
            Some(BreachCheck::new(&api).map_err(|_| PASSWORD_BREACH_API.invalid(api))?)
        } else {
            None
        };
        Ok(Self {
            enabled: PASSWORD_VALIDATORS.word(&lookup)? == "true",
            min_length: usize::try_from(min_length).unwrap_or(usize::MAX),
            breaches,
        })
    }
}

impl NameCase {
    /// Reads `USERNAME_CASE_INSENSITIVE` from the environment (the CLI's commands that take a
    /// username).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&|var| env::var(var).ok())
    }

    /// Reads it through `lookup` (the environment, or a map in tests).
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(match USERNAME_CASE_INSENSITIVE.word(lookup)? {
            "true" => Self::Insensitive,
            _ => Self::Sensitive,
        })
    }
}

trait Read {
    /// The value for the variable, trimmed; `None` when it is unset or blank.
    fn raw(&self, lookup: &impl Fn(&str) -> Option<String>) -> Option<String>;
    /// The error for `value`, naming the variable and what it must be.
    fn invalid(&self, value: impl Into<String>) -> ConfigError;
    /// A number setting: its default when unset or blank, else a whole number in its bounds.
    fn number(&self, lookup: &impl Fn(&str) -> Option<String>) -> Result<u64, ConfigError>;
    /// [`Read::number`] with a least value of `least` instead of the declared one (a bound
    /// that depends on another setting).
    fn number_at_least(
        &self,
        lookup: &impl Fn(&str) -> Option<String>,
        least: u64,
    ) -> Result<u64, ConfigError>;
    /// A word setting: its default when unset or blank, else one of its words.
    fn word(&self, lookup: &impl Fn(&str) -> Option<String>) -> Result<&'static str, ConfigError>;
}

impl Read for Setting {
    /// The value `lookup` finds for the variable, trimmed; `None` when it is unset or blank.
    fn raw(&self, lookup: &impl Fn(&str) -> Option<String>) -> Option<String> {
        lookup(self.var)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    /// The error for `value`, naming the variable and what it must be.
    fn invalid(&self, value: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            var: self.var,
            value: value.into(),
            expected: self.expected,
        }
    }

    /// Reads a [`Allowed::Number`] setting through `lookup`: its default when unset or blank,
    /// an error naming it when the value is not a whole number within its bounds (any value,
    /// for a setting that is not a number).
    fn number(&self, lookup: &impl Fn(&str) -> Option<String>) -> Result<u64, ConfigError> {
        let least = match self.allowed {
            Allowed::Number { min, .. } => min,
            Allowed::OneOf(_) | Allowed::Text => 0,
        };
        self.number_at_least(lookup, least)
    }

    fn number_at_least(
        &self,
        lookup: &impl Fn(&str) -> Option<String>,
        least: u64,
    ) -> Result<u64, ConfigError> {
        let within = |n: &u64| match self.allowed {
            Allowed::Number { max, .. } => *n >= least && max.is_none_or(|max| *n <= max),
            Allowed::OneOf(_) | Allowed::Text => false,
        };
        let parsed = |text: &str| text.parse::<u64>().ok().filter(within);
        match self.raw(lookup) {
            Some(text) => parsed(&text).ok_or_else(|| self.invalid(text)),
            None => self
                .default
                .and_then(parsed)
                .ok_or(ConfigError::Missing(self.var)),
        }
    }

    /// Reads a [`Allowed::OneOf`] setting through `lookup`: its default when unset or blank, an
    /// error naming it when the value is not one of its words.
    fn word(&self, lookup: &impl Fn(&str) -> Option<String>) -> Result<&'static str, ConfigError> {
        let Allowed::OneOf(words) = self.allowed else {
            return Err(ConfigError::Missing(self.var));
        };
        let known = |text: &str| words.iter().copied().find(|word| *word == text);
        match self.raw(lookup) {
            Some(text) => known(&text).ok_or_else(|| self.invalid(text)),
            None => self
                .default
                .and_then(known)
                .ok_or(ConfigError::Missing(self.var)),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        #[expect(
            clippy::expect_used,
            reason = "the declared defaults are valid (manifest::settings's tests and this module's)"
        )]
        Self::from_lookup(|_| None).expect("the declared defaults are valid settings")
    }
}

impl Default for PasswordRules {
    fn default() -> Self {
        #[expect(
            clippy::expect_used,
            reason = "the declared defaults are valid (manifest::settings's tests and this module's)"
        )]
        Self::from_lookup(|_| None).expect("the declared defaults are valid password rules")
    }
}

/// A setting's declared default, as text.
fn default_of(setting: Setting) -> String {
    setting.default.unwrap_or_default().to_owned()
}

/// [`TOKEN_AUTO_REFRESH`] and, when it is `true`, the interval and the bound; `None` when it is
/// off (the other two are then not read).
fn sliding_expiry(
    lookup: &impl Fn(&str) -> Option<String>,
    ttl: Option<u64>,
) -> Result<Option<SlidingExpiry>, ConfigError> {
    if TOKEN_AUTO_REFRESH.word(lookup)? == "false" {
        return Ok(None);
    }
    let Some(ttl_seconds) = ttl else {
        return Err(ConfigError::Invalid {
            var: TOKEN_AUTO_REFRESH.var,
            value: "true".to_owned(),
            expected: "false unless TOKEN_TTL_SECONDS is above 0 (the lifetime each use renews)",
        });
    };
    let min_refresh_seconds = TOKEN_MIN_REFRESH.number(lookup)?;
    let max_ttl_seconds = match TOKEN_MAX_TTL.number(lookup)? {
        0 => None,
        max if max < ttl_seconds => {
            return Err(ConfigError::Invalid {
                var: TOKEN_MAX_TTL.var,
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

/// [`TOKEN_POLICY`] and, under `per-login`, [`TOKEN_LIMIT`] (which `per-user` refuses, rather
/// than ignore a limit it would not enforce).
fn token_policy(lookup: &impl Fn(&str) -> Option<String>) -> Result<TokenPolicy, ConfigError> {
    let limit = match TOKEN_LIMIT.number(lookup)? {
        0 => None,
        limit => Some(u32::try_from(limit).map_err(|_| TOKEN_LIMIT.invalid(limit.to_string()))?),
    };
    match (TOKEN_POLICY.word(lookup)?, limit) {
        ("per-login", limit) => Ok(TokenPolicy::PerLogin { limit }),
        (_, None) => Ok(TokenPolicy::PerUser),
        (_, Some(limit)) => Err(ConfigError::Invalid {
            var: TOKEN_LIMIT.var,
            value: limit.to_string(),
            expected: "unset: it applies to TOKEN_POLICY=per-login only",
        }),
    }
}

/// The lockout variables, each defaulting to its declared default.
fn lockout_policy(lookup: &impl Fn(&str) -> Option<String>) -> Result<LockoutPolicy, ConfigError> {
    let threshold = LOCKOUT_THRESHOLD.number(lookup)?;
    let base_seconds = LOCKOUT_BASE.number(lookup)?;
    let max_seconds = LOCKOUT_MAX.number(lookup)?;
    if max_seconds < base_seconds {
        return Err(ConfigError::Invalid {
            var: LOCKOUT_MAX.var,
            value: max_seconds.to_string(),
            expected: "at least LOGIN_LOCKOUT_BASE_SECONDS",
        });
    }
    // Unset, it is raised to the threshold; set, it must be at least the threshold (0 when
    // lockout is off, though the stack's parameter starts at 1).
    let account_threshold = match LOCKOUT_ACCOUNT.raw(lookup) {
        None => LOCKOUT_ACCOUNT.number(lookup)?.max(threshold),
        Some(_) => LOCKOUT_ACCOUNT.number_at_least(lookup, threshold)?,
    };
    let count = |value: u64| u32::try_from(value).unwrap_or(u32::MAX);
    Ok(LockoutPolicy {
        threshold: count(threshold),
        base_seconds,
        max_seconds,
        account_threshold: count(account_threshold),
        source_threshold: count(SOURCE_THRESHOLD.number(lookup)?),
        source_window_seconds: SOURCE_WINDOW.number(lookup)?,
    })
}

/// A lookup of the variables `pairs` set, for the tests of what reads the environment.
#[cfg(test)]
pub(crate) fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |var| map.get(var).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules_default_to_djangos_and_read_their_variables() {
        assert_eq!(
            PasswordRules::default(),
            PasswordRules {
                enabled: true,
                min_length: 8,
                breaches: None,
            }
        );
        let read = |pairs: &[(&str, &str)]| PasswordRules::from_lookup(lookup(pairs));
        assert_eq!(
            read(&[
                ("PASSWORD_VALIDATORS", "false"),
                ("PASSWORD_MIN_LENGTH", "12")
            ]),
            Ok(PasswordRules {
                enabled: false,
                min_length: 12,
                breaches: None,
            })
        );
        let Allowed::Number { max, .. } = PASSWORD_MIN_LENGTH.allowed else {
            panic!("PASSWORD_MIN_LENGTH is a number");
        };
        assert_eq!(
            max,
            Some(crate::secrets::password::MAX_PASSWORD_BYTES as u64),
            "no minimum above the longest password accepted"
        );
        for (var, value) in [
            ("PASSWORD_VALIDATORS", "yes"),
            ("PASSWORD_MIN_LENGTH", "0"),
            ("PASSWORD_MIN_LENGTH", "4097"),
            ("PASSWORD_MIN_LENGTH", "eight"),
        ] {
            let error = read(&[(var, value)]).unwrap_err().to_string();
            assert!(
                error.starts_with(&format!("{var} is {value:?}, but it must be")),
                "{error}"
            );
        }
    }
    use std::collections::HashMap;

    fn constant(value: Option<&'static str>) -> impl Fn(&str) -> Option<String> {
        move |_| value.map(str::to_owned)
    }

    #[test]
    fn a_number_is_its_default_when_unset_or_blank_and_checked_when_set() {
        assert_eq!(LOCKOUT_MAX.number(&constant(None)), Ok(900));
        assert_eq!(LOCKOUT_MAX.number(&constant(Some("  "))), Ok(900));
        assert_eq!(LOCKOUT_MAX.number(&constant(Some(" 86400 "))), Ok(86_400));
        for bad in ["0", "86401", "-1", "1.5", "ten"] {
            let error = LOCKOUT_MAX.number(&constant(Some(bad))).unwrap_err();
            assert_eq!(error, LOCKOUT_MAX.invalid(bad), "{bad}");
        }
    }

    #[test]
    fn a_word_is_its_default_when_unset_and_one_of_its_words_when_set() {
        assert_eq!(TOKEN_POLICY.word(&constant(None)), Ok("per-user"));
        assert_eq!(
            TOKEN_POLICY.word(&constant(Some(" per-login "))),
            Ok("per-login")
        );
        let error = TOKEN_POLICY
            .word(&constant(Some("per-device")))
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("TOKEN_POLICY is \"per-device\"")
        );
    }

    /// Settings of every kind the tests use, each read back from its own environment.
    #[test]
    fn settings_read_back_from_their_environment() {
        let variants = [
            Settings::default(),
            Settings {
                lockout: LockoutPolicy::OFF,
                ..Settings::default()
            },
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
                accounts: AccountSettings {
                    password_rules: PasswordRules {
                        enabled: false,
                        min_length: 12,
                        breaches: Some(BreachCheck::new("http://127.0.0.1:9/range/").unwrap()),
                    },
                    set_password_retype: true,
                    logout_on_password_change: false,
                    registration_open: true,
                },
                usernames: NameCase::Insensitive,
                mail: MailSettings {
                    from: "noreply@example.com".into(),
                    domain: "app.example.com".into(),
                    site_name: "Example".into(),
                    protocol: "http".into(),
                    reset_confirm_url: "reset/{uid}/{token}".into(),
                    reset_lifetime_seconds: 600,
                    reset_confirm_retype: true,
                    per_address_limit: 1,
                    per_source_limit: 2,
                    send_activation: true,
                    activation_url: "activate?u={uid}&t={token}".into(),
                    activation_lifetime_seconds: 120,
                    send_confirmation: true,
                    password_changed_notice: true,
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

    /// The lockout policy's own default is the declared defaults.
    #[test]
    fn the_lockout_policys_default_is_the_declared_defaults() {
        assert_eq!(Settings::default().lockout, LockoutPolicy::default());
    }

    #[test]
    fn ttl_defaults_to_never() {
        assert_eq!(
            Settings::from_lookup(lookup(&[]))
                .unwrap()
                .token_ttl_seconds,
            None
        );
        let zero = Settings::from_lookup(lookup(&[(TOKEN_TTL.var, "0")])).unwrap();
        assert_eq!(zero.token_ttl_seconds, None);
    }

    #[test]
    fn ttl_is_read_in_seconds() {
        let settings = Settings::from_lookup(lookup(&[(TOKEN_TTL.var, " 3600 ")])).unwrap();
        assert_eq!(settings.token_ttl_seconds, Some(3600));
    }

    #[test]
    fn a_bad_ttl_names_the_variable() {
        for bad in ["-1", "1h", "1.5", "999999999999"] {
            let error = Settings::from_lookup(lookup(&[(TOKEN_TTL.var, bad)])).unwrap_err();
            assert!(
                error.to_string().starts_with("TOKEN_TTL_SECONDS is"),
                "{error}"
            );
        }
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
        let off = Settings::from_lookup(lookup(&[(LOCKOUT_THRESHOLD.var, "0")])).unwrap();
        assert!(!off.lockout.is_on());
        let custom = Settings::from_lookup(lookup(&[
            (LOCKOUT_THRESHOLD.var, "3"),
            (LOCKOUT_BASE.var, " 30 "),
            (LOCKOUT_MAX.var, "3600"),
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
        let prefixed = Settings::from_lookup(lookup(&[(TOKEN_FORMAT.var, " prefixed ")])).unwrap();
        assert_eq!(prefixed.token_format, TokenFormat::Prefixed);
        let error = Settings::from_lookup(lookup(&[(TOKEN_FORMAT.var, "base64")])).unwrap_err();
        assert!(
            error.to_string().starts_with("TOKEN_FORMAT is \"base64\""),
            "{error}"
        );
    }

    #[test]
    fn a_bad_lockout_setting_names_its_variable() {
        for (var, value) in [
            (LOCKOUT_THRESHOLD.var, "-1"),
            (LOCKOUT_THRESHOLD.var, "1001"),
            (LOCKOUT_BASE.var, "0"),
            (LOCKOUT_BASE.var, "1.5"),
            (LOCKOUT_MAX.var, "86401"),
            (LOCKOUT_ACCOUNT.var, "4"),
            (SOURCE_THRESHOLD.var, "-3"),
            (SOURCE_WINDOW.var, "0"),
        ] {
            let error = Settings::from_lookup(lookup(&[(var, value)])).unwrap_err();
            assert!(error.to_string().starts_with(var), "{var}={value}: {error}");
        }
        let raised = Settings::from_lookup(lookup(&[(LOCKOUT_THRESHOLD.var, "50")])).unwrap();
        assert_eq!(
            raised.lockout.account_threshold, 50,
            "the account-wide threshold is at least the threshold"
        );
        let sources = Settings::from_lookup(lookup(&[
            (SOURCE_THRESHOLD.var, "30"),
            (SOURCE_WINDOW.var, "600"),
            (LOCKOUT_ACCOUNT.var, "12"),
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
            Settings::from_lookup(lookup(&[(LOCKOUT_BASE.var, "60"), (LOCKOUT_MAX.var, "30")]))
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
        let knox = Settings::from_lookup(lookup(&[(TOKEN_POLICY.var, " per-login ")])).unwrap();
        assert_eq!(knox.token_policy, TokenPolicy::PerLogin { limit: None });
        let limited = Settings::from_lookup(lookup(&[
            (TOKEN_POLICY.var, "per-login"),
            (TOKEN_LIMIT.var, "3"),
        ]))
        .unwrap();
        assert_eq!(
            limited.token_policy,
            TokenPolicy::PerLogin { limit: Some(3) }
        );
        // The template always sets the variable: 0 is no limit, under either policy.
        for policy in ["per-user", "per-login"] {
            let unlimited = Settings::from_lookup(lookup(&[
                (TOKEN_POLICY.var, policy),
                (TOKEN_LIMIT.var, "0"),
            ]));
            assert!(unlimited.is_ok(), "{policy}: {unlimited:?}");
        }
        for (policy, limit, var) in [
            ("per-device", "", TOKEN_POLICY.var),
            ("per-login", "-1", TOKEN_LIMIT.var),
            ("per-login", "1001", TOKEN_LIMIT.var),
            ("per-login", "two", TOKEN_LIMIT.var),
            ("per-user", "3", TOKEN_LIMIT.var),
            ("", "3", TOKEN_LIMIT.var),
        ] {
            let error = Settings::from_lookup(lookup(&[
                (TOKEN_POLICY.var, policy),
                (TOKEN_LIMIT.var, limit),
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
        let off = Settings::from_lookup(lookup(&[(TOKEN_MIN_REFRESH.var, "oops")])).unwrap();
        assert_eq!(off.token_refresh, None, "the interval is not read when off");
        let on = Settings::from_lookup(lookup(&[
            (TOKEN_AUTO_REFRESH.var, "true"),
            (TOKEN_TTL.var, "3600"),
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
            (TOKEN_AUTO_REFRESH.var, "true"),
            (TOKEN_TTL.var, "3600"),
            (TOKEN_MIN_REFRESH.var, "0"),
            (TOKEN_MAX_TTL.var, "86400"),
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
                vec![(TOKEN_AUTO_REFRESH.var, "yes")],
                TOKEN_AUTO_REFRESH.var,
            ),
            (
                vec![(TOKEN_AUTO_REFRESH.var, "true")],
                TOKEN_AUTO_REFRESH.var,
            ),
            (
                vec![(TOKEN_AUTO_REFRESH.var, "true"), (TOKEN_TTL.var, "0")],
                TOKEN_AUTO_REFRESH.var,
            ),
            (
                vec![
                    (TOKEN_AUTO_REFRESH.var, "true"),
                    (TOKEN_TTL.var, "3600"),
                    (TOKEN_MIN_REFRESH.var, "-1"),
                ],
                TOKEN_MIN_REFRESH.var,
            ),
            (
                vec![
                    (TOKEN_AUTO_REFRESH.var, "true"),
                    (TOKEN_TTL.var, "3600"),
                    (TOKEN_MAX_TTL.var, "60"),
                ],
                TOKEN_MAX_TTL.var,
            ),
        ] {
            let error = Settings::from_lookup(lookup(&settings)).unwrap_err();
            assert!(error.to_string().starts_with(var), "{settings:?}: {error}");
        }
    }
}
