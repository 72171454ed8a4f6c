//! Tokens for users: issuing one (for a login, or an operator), authenticating a presented
//! key, revoking one. The login itself, with its password and lockout checks, is
//! [`crate::login`].

use std::time::{SystemTime, UNIX_EPOCH};

use crate::audit::{self, Issuance, Revocation};
use crate::config::Settings;
use crate::header::{self, Credentials, HeaderError};
use crate::store::rounds::{self, Round};
use crate::store::{self, NewToken, Store, StoreError, User};
use crate::token::TokenKey;

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
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
            key: TokenKey::generate(settings.token_format),
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
    use crate::store::unreachable::UnreachableStore;

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
}
