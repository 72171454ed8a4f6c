//! A login: the credentials checked (the password in the blocking pool, the user read again
//! after it), the username's failed logins counted and its lock enforced, then the user's token
//! handed back or issued ([`crate::tokens`]).
//!
//! The steps that emit no audit event run in spans of their own (`check_credentials`, with the
//! password's `argon2` span on the blocking pool inside it, `reread_user`, `forget_failures`,
//! `forgive_source_attempt`, `upgrade_password_hash`), so that a trace shows where a login's
//! time went; the ones that do emit run in the request's span, whose client address and request
//! id the events carry (docs/OPERATING.md, Audit events).

use crate::audit::{self, LoginFailure, PasswordCheck};
use crate::clock::now;
use crate::config::Settings;
use crate::lockout::{Failures, LockoutPolicy};
use crate::secrets::password::{self, Password, PasswordError, Verdict};
use crate::store::{self, AttemptGate, HashReplacement, PasswordChange, Store, StoreError, User};
use crate::tokens::{Ensured, Granted, Issuer, issue_token};
use crate::username;

/// Why a login gave no token.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown user, wrong password or inactive user: deliberately indistinguishable.
    #[error("unable to log in with provided credentials")]
    InvalidCredentials,
    /// Other writers kept changing the user's token; the client may retry.
    #[error("the user's token kept changing during login")]
    Contention,
    /// Under the per-login policy, the user holds as many live tokens as it allows.
    #[error("the user holds the most tokens the policy allows")]
    TokenLimit,
    /// Too many consecutive failed logins of this username: refused, right password or wrong,
    /// for `retry_after` more seconds.
    #[error("the username is locked for {retry_after} more seconds")]
    Locked {
        /// Whole seconds until logins of the name are checked again.
        retry_after: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Password verification could not run.
    #[error(transparent)]
    Password(#[from] PasswordError),
}

/// Checks the credentials and returns a token for the user. Under the per-user policy, the
/// current one if it is still valid (DRF's `get_or_create`), otherwise a new one; concurrent
/// logins of one user get one token. Under the per-login policy, a new one each time, within
/// the policy's limit ([`crate::policy`]).
///
/// A username locked by failed logins ([`crate::lockout`]) is refused before any hashing. Every
/// other attempt is counted before its password is checked (so that a burst of concurrent
/// guesses cannot all be verified), whether the name is a user's or not; a success forgets the
/// count.
///
/// The password takes tens of milliseconds to verify, so the user is read again after it: a
/// logout, deactivation or password change meanwhile is seen, and the key returned is one that
/// was live after the verification, never one a logout deleted during it.
///
/// The attempt's source is unknown here: see [`obtain_token_from`].
pub async fn obtain_token(
    store: &impl Store,
    settings: &Settings,
    username: &str,
    password: Password,
) -> Result<Granted, LoginError> {
    obtain_token_from(store, settings, username, password, None).await
}

/// [`obtain_token`] for an attempt from `source` (the client's address, as API Gateway or the
/// local server sees it): attempts are also limited per source and window, whatever the names
/// (password spraying), and a name locked by other sources' failures does not stop a source
/// that has not failed on it, below the account-wide threshold ([`LockoutPolicy`]).
///
/// Under `USERNAME_CASE_INSENSITIVE`, `username` is folded first: every case of a name is
/// the one user, and the lockout counts them together.
pub async fn obtain_token_from(
    store: &impl Store,
    settings: &Settings,
    username: &str,
    password: Password,
    source: Option<&str>,
) -> Result<Granted, LoginError> {
    let username = &*settings.usernames.key(username);
    let Verified { user, needs_rehash } = verify_password(
        store,
        settings,
        username,
        &password,
        source,
        PasswordCheck::Login,
    )
    .await?;
    let issuer = Issuer::Login {
        credentials: user.credentials,
    };
    match issue_token(store, settings, user.clone(), issuer).await? {
        Ensured::Token(granted) => {
            audit::login_succeeded(username);
            if needs_rehash {
                upgrade_password_hash(store, &user, password).await;
            }
            if let Some(nonce) = user.link_nonce {
                forget_link(store, &user.username, nonce).await;
            }
            Ok(granted)
        }
        Ensured::LimitReached => {
            audit::login_failed(username, true, LoginFailure::TokenLimit);
            Err(LoginError::TokenLimit)
        }
        Ensured::UserUnavailable => {
            audit::login_failed(username, true, LoginFailure::ChangedDuringLogin);
            Err(LoginError::InvalidCredentials)
        }
        Ensured::Contention => Err(LoginError::Contention),
    }
}

/// A user whose password was just verified.
#[derive(Debug)]
pub struct Verified {
    /// The user as stored after the verification: active, and with the password verified.
    pub user: User,
    /// Whether the stored hash is weaker than today's parameters.
    pub needs_rehash: bool,
}

/// Checks that `password` is the password of the active user `username`, under the lockout,
/// for a login or for a signed-in user's account change (`check`, which names the audit event
/// of a failure), so that a stolen token is no better a password-guessing oracle than the
/// login. A locked name is refused before any hashing; every other attempt is counted before
/// its password is checked, user or not; a success forgets the count.
///
/// The password takes tens of milliseconds to verify, so the user is read again after it: the
/// user returned is the one stored after the verification.
pub async fn verify_password(
    store: &impl Store,
    settings: &Settings,
    username: &str,
    password: &Password,
    source: Option<&str>,
    check: PasswordCheck,
) -> Result<Verified, LoginError> {
    if !password.within_limit() || username::is_overlong(username) {
        check.failed(username, false, LoginFailure::Overlong);
        return Err(LoginError::InvalidCredentials);
    }
    // No user's name holds a control character (none can be created or imported with one):
    // refused unread and uncounted, so that no name can count against a source's key.
    if username::has_control_character(username) {
        check.failed(username, false, LoginFailure::ControlCharacter);
        return Err(LoginError::InvalidCredentials);
    }
    let lockout = settings.lockout;
    let (user, failures) = if lockout.is_on() {
        store.user_and_failures(username).await?
    } else {
        (store.user(username).await?, None)
    };
    let now = now();
    let is_user = user.is_some();
    let locked = failures
        .as_ref()
        .and_then(|failures| lockout.remaining_for(failures, source, now));
    if let Some(wait) = locked {
        check.failed(username, is_user, LoginFailure::Locked);
        return Err(LoginError::Locked { retry_after: wait });
    }
    let attempt = Attempt {
        username,
        is_user,
        source,
        check,
        now,
    };
    let source_counted = count_source_attempt(store, &lockout, &attempt).await?;
    let counted = count_attempt(store, &lockout, &attempt, failures.as_ref()).await?;
    let (user, needs_rehash) = match check_credentials(store, user, password).await? {
        Ok(checked) => checked,
        Err(reason) => {
            check.failed(username, is_user, reason);
            if let Some(count) = counted {
                report_lock(&lockout, username, is_user, count);
            }
            return Err(LoginError::InvalidCredentials);
        }
    };
    if counted.is_some() {
        forget_failures(store, username).await;
    }
    if let Some(key) = source_counted {
        forgive_source_attempt(store, &key).await;
    }
    Ok(Verified { user, needs_rehash })
}

/// One attempt to check a password, as the lockout counts it.
struct Attempt<'a> {
    /// The name submitted.
    username: &'a str,
    /// Whether it is a user's (for the audit events).
    is_user: bool,
    /// The client's address, if known.
    source: Option<&'a str>,
    /// What the password is checked for.
    check: PasswordCheck,
    /// When, in epoch seconds.
    now: u64,
}

/// The user `password` logs in, as stored after the verification, with whether its stored hash
/// is weak; otherwise why not. An inactive user is refused after the full check, so that timing
/// does not tell them from a wrong password.
#[tracing::instrument(name = "check_credentials", skip_all)]
async fn check_credentials(
    store: &impl Store,
    user: Option<User>,
    password: &Password,
) -> Result<Result<(User, bool), LoginFailure>, LoginError> {
    let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
    let verdict = password::verify_in_background(stored_hash, password.clone()).await?;
    let (user, needs_rehash) = match (user, verdict) {
        (None, _) => return Ok(Err(LoginFailure::UnknownUser)),
        (Some(_), Verdict::Mismatch) => return Ok(Err(LoginFailure::WrongPassword)),
        (Some(user), Verdict::Match { needs_rehash }) => (user, needs_rehash),
    };
    if !user.active {
        return Ok(Err(LoginFailure::InactiveUser));
    }
    let fresh = reread_after_verification(store, user, needs_rehash, password).await?;
    Ok(fresh.ok_or(LoginFailure::ChangedDuringLogin))
}

/// Counts this login attempt of `username` before its password is checked, when lockout is on
/// (`read`: the failures read with the user): `Some(count)` with the attempts counted, this one
/// included, or `Err(Locked)` if concurrent attempts have locked the name since it was read. So
/// however many guesses arrive at once, at most the threshold's number are verified before the
/// lock; a success forgets them all.
async fn count_attempt(
    store: &impl Store,
    lockout: &LockoutPolicy,
    attempt: &Attempt<'_>,
    read: Option<&Failures>,
) -> Result<Option<u32>, LoginError> {
    if !lockout.is_on() {
        return Ok(None);
    }
    let now = attempt.now;
    // The shortest lock a count at or above the threshold sets, or the one `read` holds: an
    // attempt passes a lock only once that has ended.
    let counted = read.map_or(0, |failures| failures.count);
    // Sources are recorded only below the account-wide threshold (beyond it the lock is for
    // all), which bounds their number on the item.
    let source = attempt
        .source
        .filter(|_| counted < lockout.account_threshold());
    let gate = AttemptGate {
        now,
        threshold: lockout.threshold,
        unlocked_before: now.saturating_sub(lockout.lock_seconds(counted.max(lockout.threshold))),
        source,
        account_threshold: lockout.account_threshold(),
        forget_at: lockout.forget_at(now),
    };
    match store.count_attempt(attempt.username, &gate).await? {
        store::Attempt::Counted(count) => Ok(Some(count)),
        store::Attempt::Locked(stored) => {
            attempt
                .check
                .failed(attempt.username, attempt.is_user, LoginFailure::Locked);
            let retry_after = lockout.remaining(&stored, now).unwrap_or(1);
            Err(LoginError::Locked { retry_after })
        }
    }
}

/// The key under which `source`'s login attempts of window number `window` are counted, in the
/// lockouts table beside the usernames: it starts with a control character, which no counted
/// username holds (a login refuses such names before counting), so that no name can count
/// against a source.
fn source_key(source: &str, window: u64) -> String {
    format!("\u{1}source {source} {window}")
}

/// Counts this attempt against its source's limit for the current window, before any hashing,
/// when sources are limited and the source is known: `Some(key)` where it was counted (to give
/// it back on success), or `Err(Locked)` until the window ends once the source has made its
/// allowance of attempts.
async fn count_source_attempt(
    store: &impl Store,
    lockout: &LockoutPolicy,
    attempt: &Attempt<'_>,
) -> Result<Option<String>, LoginError> {
    let Some(source) = attempt.source.filter(|_| lockout.limits_sources()) else {
        return Ok(None);
    };
    let now = attempt.now;
    let window = now / lockout.source_window_seconds;
    let window_ends = (window + 1) * lockout.source_window_seconds;
    let key = source_key(source, window);
    let gate = AttemptGate {
        now,
        threshold: lockout.source_threshold,
        // A source's limit holds until its window ends, never before.
        unlocked_before: 0,
        source: None,
        account_threshold: lockout.source_threshold,
        forget_at: lockout.forget_at(window_ends),
    };
    match store.count_attempt(&key, &gate).await? {
        store::Attempt::Counted(_) => Ok(Some(key)),
        store::Attempt::Locked(_) => {
            attempt.check.failed(
                attempt.username,
                attempt.is_user,
                LoginFailure::SourceLimited,
            );
            let retry_after = window_ends.saturating_sub(now).max(1);
            Err(LoginError::Locked { retry_after })
        }
    }
}

/// Gives back the source's attempt of a login that succeeded. Failure is logged, not fatal.
#[tracing::instrument(name = "forgive_source_attempt", skip_all)]
async fn forgive_source_attempt(store: &impl Store, key: &str) {
    if let Err(error) = store.forgive_attempt(key).await {
        tracing::warn!(error = %error, "could not give back a source's login attempt");
    }
}

/// Reports the lock a failed attempt (the `count`-th counted) sets off, if any.
fn report_lock(lockout: &LockoutPolicy, username: &str, is_user: bool, count: u32) {
    let seconds = lockout.lock_seconds(count);
    if seconds > 0 {
        audit::username_locked(username, is_user, count, seconds);
    }
}

/// Forgets the attempts counted for a user who just logged in, this one included. Failure is
/// logged, not fatal: the login has succeeded, and the count only matters if it reaches the
/// threshold again.
#[tracing::instrument(name = "forget_failures", skip_all)]
/// Kills the user's outstanding emailed link (a password reset they no longer need, as Django's
/// tokens die with a login). A failure is logged, not answered: the link still expires.
async fn forget_link(store: &impl Store, username: &str, nonce: u64) {
    if let Err(error) = store.forget_link(username, nonce).await {
        tracing::warn!(username, error = %error, "could not forget the emailed link");
    }
}

async fn forget_failures(store: &impl Store, username: &str) {
    if let Err(error) = store.clear_failures(username).await {
        tracing::warn!(username, error = %error, "could not reset the failed-login count");
    }
}

/// The user as stored now, once `password` has been verified against `verified`'s hash
/// (`needs_rehash`: that hash's verdict), with whether the stored hash is weak; `None` if the
/// user was deleted or deactivated meanwhile, or if the password changed to one that `password`
/// does not match. (A hash that changed because another login upgraded it is checked again.)
#[tracing::instrument(name = "reread_user", skip_all)]
async fn reread_after_verification(
    store: &impl Store,
    verified: User,
    needs_rehash: bool,
    password: &Password,
) -> Result<Option<(User, bool)>, LoginError> {
    let Some(fresh) = store.user(&verified.username).await? else {
        return Ok(None);
    };
    if !fresh.active {
        return Ok(None);
    }
    if fresh.password_hash == verified.password_hash {
        return Ok(Some((fresh, needs_rehash)));
    }
    let stored = Some(fresh.password_hash.clone());
    match password::verify_in_background(stored, password.clone()).await? {
        Verdict::Match { needs_rehash } => Ok(Some((fresh, needs_rehash))),
        Verdict::Mismatch => Ok(None),
    }
}

/// Re-hashes a password stored with weaker parameters. Failure is logged, not fatal: the
/// login it rides on has already succeeded.
#[tracing::instrument(name = "upgrade_password_hash", skip_all)]
async fn upgrade_password_hash(store: &impl Store, user: &User, password: Password) {
    let outcome = match password::hash_in_background(password).await {
        Ok(new_hash) => store
            .replace_password_hash(HashReplacement {
                username: &user.username,
                old_hash: &user.password_hash,
                new_hash: &new_hash,
                change: PasswordChange::Rehash,
            })
            .await
            .map_err(|error| Box::new(error) as store::Cause),
        Err(error) => Err(Box::new(error) as store::Cause),
    };
    match outcome {
        Ok(_) => tracing::info!(username = user.username, "upgraded a password hash"),
        Err(error) => {
            tracing::warn!(username = user.username, error = %error, "could not upgrade a password hash")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::unreachable::UnreachableStore;

    #[tokio::test]
    async fn overlong_usernames_and_passwords_are_refused_without_a_read() {
        let long_name = "a".repeat(crate::username::MAX_CHARS + 1);
        let outcome = obtain_token(
            &UnreachableStore,
            &Settings::default(),
            &long_name,
            Password::new("pw"),
        )
        .await;
        assert!(
            matches!(outcome, Err(LoginError::InvalidCredentials)),
            "{outcome:?}"
        );
        let long_password =
            Password::new("p".repeat(crate::secrets::password::MAX_PASSWORD_BYTES + 1));
        let outcome = obtain_token(
            &UnreachableStore,
            &Settings::default(),
            "admin",
            long_password,
        )
        .await;
        assert!(
            matches!(outcome, Err(LoginError::InvalidCredentials)),
            "{outcome:?}"
        );
    }

    #[tokio::test]
    async fn a_username_with_a_control_character_is_refused_without_a_read() {
        for name in ["admin\u{1}", "\u{1}source 203.0.113.7 1", "ad\tmin"] {
            let outcome = obtain_token_from(
                &UnreachableStore,
                &Settings::default(),
                name,
                Password::new("pw"),
                Some("203.0.113.7"),
            )
            .await;
            assert!(
                matches!(outcome, Err(LoginError::InvalidCredentials)),
                "{name:?}: {outcome:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_store_failure_during_login_is_reported_not_hidden() {
        let outcome = obtain_token(
            &UnreachableStore,
            &Settings::default(),
            "admin",
            Password::new("pw"),
        )
        .await;
        assert!(
            matches!(outcome, Err(LoginError::Store(StoreError::Failed(_)))),
            "{outcome:?}"
        );
    }
}
