//! Audit events: one structured log line per thing an operator may want to count, alert on or
//! trace, each with a stable `event` field and the username, never a password, key or digest.
//!
//! In Lambda the lines are JSON (`{"level": ..., "fields": {"event": "login_failed",
//! "username": ..., "reason": ...}, "span": {"source_ip": ..., "request_id": ...}}`): the
//! endpoints run their work inside a span ([`crate::http::request::span`]) that carries the
//! client's address and API Gateway's request id. The events are at INFO, `username_locked` at
//! WARN; their target is `audit`, so `RUST_LOG=audit=info` shows the command line's own.

/// Why a login failed, as only the logs see it (the client gets one answer for all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    /// No user of that name.
    UnknownUser,
    /// The user exists; the password is not theirs.
    WrongPassword,
    /// The user exists and the password is theirs, but the user is inactive.
    InactiveUser,
    /// The user was deleted, deactivated or given another password while the password was
    /// being verified.
    ChangedDuringLogin,
    /// The username is locked by earlier failures; nothing was checked.
    Locked,
    /// The client's address has made its allowance of attempts for now; nothing was checked.
    SourceLimited,
    /// The username or password is longer than any that can exist; nothing was read.
    Overlong,
    /// The username holds a control character, which no user's can; nothing was read.
    ControlCharacter,
    /// The credentials were right, but the user holds as many tokens as the per-login policy
    /// allows.
    TokenLimit,
}

impl LoginFailure {
    fn as_str(self) -> &'static str {
        match self {
            Self::UnknownUser => "unknown_user",
            Self::ControlCharacter => "control_character",
            Self::SourceLimited => "source_limited",
            Self::WrongPassword => "wrong_password",
            Self::InactiveUser => "inactive_user",
            Self::ChangedDuringLogin => "changed_during_login",
            Self::Locked => "locked",
            Self::Overlong => "overlong",
            Self::TokenLimit => "token_limit",
        }
    }
}

/// What a password was checked for: the failures of each are their own event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    /// A login (`login_failed`).
    Login,
    /// A signed-in user's `current_password`, before an account change
    /// (`current_password_failed`).
    CurrentPassword,
}

impl PasswordCheck {
    /// The check failed, and why: [`login_failed`] or [`current_password_failed`].
    pub fn failed(self, username: &str, is_user: bool, reason: LoginFailure) {
        match self {
            Self::Login => login_failed(username, is_user, reason),
            Self::CurrentPassword => current_password_failed(username, reason),
        }
    }
}

/// What took a token away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// The user logged out.
    Logout,
    /// The user logged out everywhere (`POST /api/logoutall/`).
    LogoutAll,
    /// The user logged out through djoser's `POST /auth/token/logout/`, which deletes every
    /// token of theirs.
    TokenLogout,
    /// `authtoken token revoke`.
    Admin,
    /// `authtoken user set-password` (without `--keep-token`).
    PasswordReset,
    /// The user changed their password (`POST /auth/users/set_password/`, under
    /// `LOGOUT_ON_PASSWORD_CHANGE`).
    PasswordChange,
    /// `authtoken user deactivate`.
    Deactivation,
    /// `authtoken user delete`.
    Deletion,
    /// The user renamed themselves while holding more tokens than one step moves.
    Rename,
}

impl Revocation {
    fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::LogoutAll => "logout_all",
            Self::TokenLogout => "token_logout",
            Self::Admin => "admin",
            Self::PasswordReset => "password_reset",
            Self::PasswordChange => "password_change",
            Self::Deactivation => "deactivation",
            Self::Deletion => "deletion",
            Self::Rename => "rename",
        }
    }
}

/// Where a token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issuance {
    /// A login.
    Login,
    /// `authtoken token create`.
    Admin,
    /// `authtoken import django`: a DRF token, its key kept.
    Import,
}

impl Issuance {
    fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Admin => "admin",
            Self::Import => "import",
        }
    }
}

/// A login succeeded.
pub fn login_succeeded(username: &str) {
    tracing::info!(target: "audit", event = "login_succeeded", username, "login succeeded");
}

/// A login failed, and why. A username longer than any that can exist (it may be megabytes of
/// a hostile body) is logged cut to that length, with `…`.
pub fn login_failed(username: &str, is_user: bool, reason: LoginFailure) {
    let username = logged_name(username, is_user);
    tracing::info!(
        target: "audit",
        event = "login_failed",
        username,
        reason = reason.as_str(),
        "login failed"
    );
}

/// How a submitted username is logged: a user's as it is; a name that is no user's masked, its
/// first character and its length (`c…(28)`), since it may be a password typed into the
/// username field, and logs are kept for weeks.
fn logged_name(username: &str, is_user: bool) -> String {
    if is_user {
        return username.to_owned();
    }
    match username.chars().next() {
        Some(first) => format!("{first}…({})", username.chars().count()),
        None => String::new(),
    }
}

/// The `current_password` a signed-in user gave for an account change was refused, and why
/// (the caller is a user: their name is logged as it is).
pub fn current_password_failed(username: &str, reason: LoginFailure) {
    tracing::info!(
        target: "audit",
        event = "current_password_failed",
        username,
        reason = reason.as_str(),
        "current password refused"
    );
}

/// A failed login locked its username for `seconds`.
pub fn username_locked(username: &str, is_user: bool, failures: u32, seconds: u64) {
    let username = logged_name(username, is_user);
    tracing::warn!(
        target: "audit",
        event = "username_locked",
        username,
        failures,
        seconds,
        "username locked by failed logins"
    );
}

/// A new token was issued.
pub fn token_issued(username: &str, how: Issuance) {
    tracing::info!(target: "audit", event = "token_issued", username, by = how.as_str(), "token issued");
}

/// `count` tokens of the user were deleted, in one step.
pub fn token_revoked(username: &str, by: Revocation, count: usize) {
    tracing::info!(target: "audit", event = "token_revoked", username, by = by.as_str(), count, "token revoked");
}

/// A user ended one of their sessions (`DELETE /auth/tokens/{prefix}/`): the token whose
/// digest starts with `digest_prefix` (never a key).
pub fn session_revoked(username: &str, digest_prefix: &str) {
    tracing::info!(target: "audit", event = "session_revoked", username, digest_prefix, "session revoked");
}

/// The breach check got no answer to go by (`reason`), so a new password was judged without it.
pub fn breach_check_failed(reason: &str) {
    tracing::warn!(target: "audit", event = "breach_check_failed", reason, "breach check failed; password judged without it");
}

/// A password reset was asked for an address: `users` active users have it (the address is
/// never logged, since it may be no user's).
pub fn password_reset_requested(users: usize) {
    tracing::info!(target: "audit", event = "password_reset_requested", users, "password reset requested");
}

/// A user set a new password with a reset link.
pub fn password_reset(username: &str) {
    tracing::info!(target: "audit", event = "password_reset", username, "password reset with a link");
}

/// An email of `kind` was sent to the user.
pub fn mail_sent(username: &str, kind: &str) {
    tracing::info!(target: "audit", event = "mail_sent", username, kind, "email sent");
}

/// SES refused an email to the user for good (`reason`); it is not tried again.
pub fn mail_failed(username: &str, kind: &str, reason: &str) {
    tracing::warn!(target: "audit", event = "mail_failed", username, kind, reason, "email not sent");
}

/// A request for an email (`kind`) could not be queued (`error`, the queue's); the change that
/// asked for it stands.
pub fn mail_not_queued(kind: &str, error: &str) {
    tracing::warn!(target: "audit", event = "mail_not_queued", kind, error, "email not queued");
}

/// A request for emails was dropped by a sending limit (`reason`).
pub fn mail_dropped(reason: &str) {
    tracing::warn!(target: "audit", event = "mail_dropped", reason, "email request dropped by a sending limit");
}

/// A user was created.
pub fn user_created(username: &str, active: bool) {
    tracing::info!(target: "audit", event = "user_created", username, active, "user created");
}

/// A user was renamed, by themselves (`POST /auth/users/set_username/`) or by an operator.
pub fn username_changed(username: &str, new_username: &str, by: Changer) {
    let by = by.as_str();
    tracing::info!(target: "audit", event = "username_changed", username, new_username, by, "username changed");
}

/// A user registered (`POST /auth/users/`).
pub fn user_registered(username: &str) {
    tracing::info!(target: "audit", event = "user_registered", username, "user registered");
}

/// A user was activated or deactivated: by an operator, or by the user (an activation link
/// followed; a new address, which waits for its link).
pub fn user_activation_changed(username: &str, active: bool, by: Changer) {
    let by = by.as_str();
    if active {
        tracing::info!(target: "audit", event = "user_activated", username, by, "user activated");
    } else {
        tracing::info!(target: "audit", event = "user_deactivated", username, by, "user deactivated");
    }
}

/// A user was deleted, by an operator or by the user.
pub fn user_deleted(username: &str, by: Changer) {
    let by = by.as_str();
    tracing::info!(target: "audit", event = "user_deleted", username, by, "user deleted");
}

/// The failed logins of a name were forgotten by an operator.
pub fn user_unlocked(username: &str, had_failures: bool) {
    tracing::info!(target: "audit", event = "user_unlocked", username, had_failures, "username unlocked");
}

/// Who changed an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changer {
    /// An operator (`authtoken user ...`).
    Operator,
    /// The user themselves, through djoser's endpoints.
    User,
}

impl Changer {
    fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::User => "user",
        }
    }
}

/// A user's password was changed, by an operator or by the user.
pub fn password_changed(username: &str, by: Changer) {
    let by = by.as_str();
    tracing::info!(target: "audit", event = "password_changed", username, by, "password changed");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// What the audit events logged while `emit` ran, as text.
    fn captured(emit: impl FnOnce()) -> String {
        let buffer = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink = Arc::clone(&buffer);
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || Writer(Arc::clone(&sink)))
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
        let bytes = buffer.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    struct Writer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Writer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_name_that_is_no_users_is_logged_masked() {
        let huge = "é".repeat(100_000);
        let log = captured(|| login_failed(&huge, false, LoginFailure::Overlong));
        assert!(log.contains("username=\"é…(100000)\""), "{log}");
        assert!(!log.contains("éé"), "{log}");
        assert!(log.contains("reason=\"overlong\""), "{log}");
        let typed = "correct horse battery staple";
        let log = captured(|| {
            login_failed(typed, false, LoginFailure::UnknownUser);
            username_locked(typed, false, 5, 1);
        });
        assert!(!log.contains("horse"), "{log}");
        assert_eq!(log.matches("username=\"c…(28)\"").count(), 2, "{log}");
        let log = captured(|| login_failed("alice", true, LoginFailure::WrongPassword));
        assert!(log.contains("username=\"alice\""), "{log}");
    }

    #[test]
    fn events_carry_their_stable_names() {
        let log = captured(|| {
            token_revoked("ann", Revocation::PasswordReset, 1);
            user_activation_changed("ann", false, Changer::User);
            session_revoked("ann", "5cc1e911");
            username_changed("ann", "anne", Changer::Operator);
        });
        assert!(log.contains("event=\"token_revoked\""), "{log}");
        assert!(log.contains("by=\"password_reset\""), "{log}");
        assert!(
            log.contains("event=\"user_deactivated\" username=\"ann\" by=\"user\""),
            "{log}"
        );
        assert!(log.contains("event=\"session_revoked\""), "{log}");
        assert!(log.contains("digest_prefix=\"5cc1e911\""), "{log}");
        assert!(
            log.contains("new_username=\"anne\" by=\"operator\""),
            "{log}"
        );
    }
}
