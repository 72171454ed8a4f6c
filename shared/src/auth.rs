//! What the endpoints (and the command line) do with the store: log in, authenticate a key,
//! log out, create a user. Every write of the project goes through here.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::audit::{self, Issuance, LoginFailure, Revocation};
use crate::config::Settings;
use crate::header::{self, Credentials, HeaderError};
use crate::lockout::LockoutPolicy;
use crate::password::{self, Password, PasswordError, Verdict};
use crate::store::rounds::{self, Round};
use crate::store::{self, NewToken, Store, StoreError, User};
use crate::token::TokenKey;

/// Longest username, in characters: Django's `User.username` limit. Longer names cannot exist,
/// so login refuses them without a read (DynamoDB would reject keys over 2048 bytes anyway).
pub const MAX_USERNAME_CHARS: usize = 150;

/// Why a login gave no token.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown user, wrong password or inactive user: deliberately indistinguishable.
    #[error("unable to log in with provided credentials")]
    InvalidCredentials,
    /// Other writers kept changing the user's token; the client may retry.
    #[error("the user's token kept changing during login")]
    Contention,
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

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Checks the credentials and returns the user's token: the current one if it is still valid
/// (DRF's `get_or_create`), otherwise a new one. Concurrent logins of one user get one token.
///
/// A username locked by failed logins ([`crate::lockout`]) is refused before any hashing; a
/// refusal after the password check counts one more failure of the submitted name, user or not;
/// a success forgets them.
///
/// The password takes tens of milliseconds to verify, so the user is read again after it: a
/// logout, deactivation or password change meanwhile is seen, and the key returned is one that
/// was live after the verification, never one a logout deleted during it.
pub async fn obtain_token(
    store: &impl Store,
    settings: &Settings,
    username: &str,
    password: Password,
) -> Result<TokenKey, LoginError> {
    if !password.within_limit() || username.chars().count() > MAX_USERNAME_CHARS {
        audit::login_failed(username, LoginFailure::Overlong);
        return Err(LoginError::InvalidCredentials);
    }
    let lockout = settings.lockout;
    let (user, failures) = if lockout.is_on() {
        store.user_and_failures(username).await?
    } else {
        (store.user(username).await?, None)
    };
    if let Some(wait) = failures.and_then(|failures| lockout.remaining(&failures, now())) {
        audit::login_failed(username, LoginFailure::Locked);
        return Err(LoginError::Locked { retry_after: wait });
    }
    let (user, needs_rehash) = match check_credentials(store, user, &password).await? {
        Ok(checked) => checked,
        Err(reason) => {
            audit::login_failed(username, reason);
            count_failure(store, &lockout, username).await?;
            return Err(LoginError::InvalidCredentials);
        }
    };
    if failures.is_some() {
        forget_failures(store, username).await;
    }
    match ensure_token(store, settings, user.clone(), false, Issuance::Login).await? {
        Ensured::Token(key) => {
            audit::login_succeeded(username);
            if needs_rehash {
                upgrade_password_hash(store, &user, password).await;
            }
            Ok(key)
        }
        Ensured::UserUnavailable => {
            audit::login_failed(username, LoginFailure::ChangedDuringLogin);
            Err(LoginError::InvalidCredentials)
        }
        Ensured::Contention => Err(LoginError::Contention),
    }
}

/// The user `password` logs in, as stored after the verification, with whether its stored hash
/// is weak; otherwise why not. An inactive user is refused after the full check, so that timing
/// does not tell them from a wrong password.
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

/// Counts a failed login of `username` when lockout is on, and reports the lock it starts.
async fn count_failure(
    store: &impl Store,
    lockout: &LockoutPolicy,
    username: &str,
) -> Result<(), StoreError> {
    if !lockout.is_on() {
        return Ok(());
    }
    let now = now();
    let count = store
        .record_failure(username, now, lockout.forget_at(now))
        .await?;
    let seconds = lockout.lock_seconds(count);
    if seconds > 0 {
        audit::username_locked(username, count, seconds);
    }
    Ok(())
}

/// Forgets the failed logins of a user who just logged in. Failure is logged, not fatal: the
/// login has succeeded, and the count only matters if it reaches the threshold again.
async fn forget_failures(store: &impl Store, username: &str) {
    if let Err(error) = store.clear_failures(username).await {
        tracing::warn!(username, error = %error, "could not reset the failed-login count");
    }
}

/// The user as stored now, once `password` has been verified against `verified`'s hash
/// (`needs_rehash`: that hash's verdict), with whether the stored hash is weak; `None` if the
/// user was deleted or deactivated meanwhile, or if the password changed to one that `password`
/// does not match. (A hash that changed because another login upgraded it is checked again.)
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

/// What [`ensure_token`] achieved.
pub(crate) enum Ensured {
    /// The user's token, current or new.
    Token(TokenKey),
    /// The user was deleted or deactivated meanwhile.
    UserUnavailable,
    /// Other writers kept changing the user's token.
    Contention,
}

/// Returns `user`'s current token if it is still valid and `reset` is false; otherwise installs a
/// new one in its place. Losing a race to another writer re-reads the user and decides again, so
/// concurrent callers all end up with the one token that was installed.
pub(crate) async fn ensure_token(
    store: &impl Store,
    settings: &Settings,
    user: User,
    reset: bool,
    issuance: Issuance,
) -> Result<Ensured, StoreError> {
    let username = &user.username.clone();
    let settled = rounds::settle(Some(user), |read_already| async move {
        let user = match read_already {
            Some(user) => user,
            // The last round lost a race (most often: a concurrent first login installed its
            // token first): read again and decide again.
            None => match store.user(username).await? {
                Some(user) if user.active => user,
                _ => return Ok(Round::Done(Ensured::UserUnavailable)),
            },
        };
        let now = now();
        if let Some(current) = &user.token
            && !reset
            && store::is_live(current.expires, now)
        {
            return Ok(Round::Done(Ensured::Token(current.key.clone())));
        }
        let token = NewToken {
            key: TokenKey::generate(),
            created: now,
            expires: settings.token_ttl_seconds.map(|ttl| now + ttl),
        };
        let replacing = user.token.as_ref().map(|current| &current.key);
        if !store.install_token(username, &token, replacing).await? {
            return Ok(Round::Lost(None));
        }
        audit::token_issued(username, issuance);
        Ok(Round::Done(Ensured::Token(token.key)))
    })
    .await?;
    Ok(settled.unwrap_or(Ensured::Contention))
}

/// Re-hashes a password stored with weaker parameters. Failure is logged, not fatal: the
/// login it rides on has already succeeded.
async fn upgrade_password_hash(store: &impl Store, user: &User, password: Password) {
    let outcome = match password::hash_in_background(password).await {
        Ok(new_hash) => store
            .replace_password_hash(&user.username, &user.password_hash, &new_hash)
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

/// Who an `Authorization` header authenticates.
#[derive(Debug)]
pub struct Caller {
    /// The user the key belongs to.
    pub username: String,
    /// The key presented.
    pub key: TokenKey,
}

/// Why an `Authorization` header authenticates nobody: DRF's three 401s (their messages are
/// DRF's), or a store failure, which must not look like a bad token.
#[derive(Debug, thiserror::Error)]
pub enum Denied {
    /// No `Token` credentials: no header, or another scheme.
    #[error("Authentication credentials were not provided.")]
    NotAuthenticated,
    /// A malformed `Token` header.
    #[error(transparent)]
    BadHeader(#[from] HeaderError),
    /// A well-formed header whose key is unknown, expired or logged out.
    #[error("Invalid token.")]
    InvalidToken,
    /// The store could not answer.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Authenticates the raw bytes of an `Authorization` header (`None`: no header) with DRF's
/// `TokenAuthentication` rules: `Token <key>`, then one strongly consistent read of the key's
/// digest, expiry honoured. A malformed header or key costs no read. For any function that
/// must know who is calling: the endpoints' pipeline, an authorizer, a guard.
pub async fn authenticate_header(
    store: &impl Store,
    header: Option<&[u8]>,
) -> Result<Caller, Denied> {
    let Credentials::Key(key) = header::parse(header)? else {
        return Err(Denied::NotAuthenticated);
    };
    match authenticate(store, &key).await? {
        Some(username) => Ok(Caller { username, key }),
        None => Err(Denied::InvalidToken),
    }
}

/// The username a presented key authenticates, or `None` if the key is unknown or expired.
/// A key that is not of the issued form is refused without a read.
pub async fn authenticate(
    store: &impl Store,
    key: &TokenKey,
) -> Result<Option<String>, StoreError> {
    if !key.is_well_formed() {
        return Ok(None);
    }
    Ok(store
        .token(&key.digest())
        .await?
        .filter(|record| store::is_live(record.expires, now()))
        .map(|record| record.username))
}

/// Deletes `username`'s token `key` (`by`: who asked). `Ok(false)` if it was no longer their
/// token.
pub async fn revoke_token(
    store: &impl Store,
    username: &str,
    key: &TokenKey,
    by: Revocation,
) -> Result<bool, StoreError> {
    let deleted = store.delete_token(username, key).await?;
    if deleted {
        audit::token_revoked(username, by);
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{TokenRecord, User};
    use crate::token::TokenDigest;

    /// A store that fails every call: a test using it proves that no call was made.
    struct UnreachableStore;

    fn unreachable() -> StoreError {
        StoreError::Failed("the store was called".into())
    }

    impl Store for UnreachableStore {
        async fn user(&self, _: &str) -> Result<Option<User>, StoreError> {
            Err(unreachable())
        }
        async fn token(&self, _: &TokenDigest) -> Result<Option<TokenRecord>, StoreError> {
            Err(unreachable())
        }
        async fn user_and_failures(
            &self,
            _: &str,
        ) -> Result<(Option<User>, Option<crate::lockout::Failures>), StoreError> {
            Err(unreachable())
        }
        async fn record_failure(&self, _: &str, _: u64, _: u64) -> Result<u32, StoreError> {
            Err(unreachable())
        }
        async fn clear_failures(&self, _: &str) -> Result<bool, StoreError> {
            Err(unreachable())
        }
        async fn create_user(&self, _: &User) -> Result<bool, StoreError> {
            Err(unreachable())
        }
        async fn install_token(
            &self,
            _: &str,
            _: &NewToken,
            _: Option<&TokenKey>,
        ) -> Result<bool, StoreError> {
            Err(unreachable())
        }
        async fn delete_token(&self, _: &str, _: &TokenKey) -> Result<bool, StoreError> {
            Err(unreachable())
        }
        async fn replace_password_hash(
            &self,
            _: &str,
            _: &str,
            _: &str,
        ) -> Result<bool, StoreError> {
            Err(unreachable())
        }
        async fn reset_password(
            &self,
            _: &str,
            _: Option<&TokenKey>,
            _: &str,
        ) -> Result<bool, StoreError> {
            Err(unreachable())
        }
        async fn set_active(
            &self,
            _: &str,
            _: bool,
            _: Option<&TokenKey>,
        ) -> Result<bool, StoreError> {
            Err(unreachable())
        }
        async fn delete_user(&self, _: &str, _: Option<&TokenKey>) -> Result<bool, StoreError> {
            Err(unreachable())
        }
        async fn list_users(
            &self,
            _: Option<&str>,
            _: u32,
        ) -> Result<crate::store::UserPage, StoreError> {
            Err(unreachable())
        }
    }

    #[tokio::test]
    async fn overlong_usernames_and_passwords_are_refused_without_a_read() {
        let long_name = "a".repeat(MAX_USERNAME_CHARS + 1);
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
        let long_password = Password::new("p".repeat(crate::password::MAX_PASSWORD_BYTES + 1));
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
    async fn malformed_keys_are_refused_without_a_read() {
        for key in ["abc", "0123456789ABCDEF0123456789abcdef01234567", "é"] {
            assert_eq!(
                authenticate(&UnreachableStore, &TokenKey::new(key))
                    .await
                    .unwrap(),
                None
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
