//! Authenticating a presented key (one read of its digest, its expiry honoured) and renewing
//! its expiry under sliding expiry. The HTTP layer's [`crate::http::authenticate`] reads the
//! key from an `Authorization` header.

use crate::clock::now;
use crate::config::Settings;
use crate::secrets::token::TokenKey;
use crate::store::{self, Extension, Store, StoreError, TokenRecord};

/// Who an `Authorization` header authenticates.
#[derive(Debug)]
pub struct Caller {
    /// The user the key belongs to.
    pub username: String,
    /// The key presented.
    pub key: TokenKey,
    /// When the token was issued, in seconds since the epoch.
    pub created: u64,
    /// When it stops being valid, in seconds since the epoch; `None` = never.
    pub expires: Option<u64>,
}

/// The caller that `key` authenticates: one strongly consistent read of the key's digest, its
/// expiry honoured; `None` for a key that is unknown, expired or logged out. The HTTP layer's
/// [`crate::http::authenticate`] reads the key from an `Authorization` header.
pub async fn caller(
    store: &impl Store,
    settings: &Settings,
    key: TokenKey,
) -> Result<Option<Caller>, StoreError> {
    Ok(live_record(store, settings, &key)
        .await?
        .map(|record| Caller {
            username: record.username,
            key,
            created: record.created,
            expires: record.expires,
        }))
}

/// Under sliding expiry ([`crate::sliding`]), moves the expiry of the token `caller` just
/// authenticated with, when a write is due; otherwise does nothing. For the requests that go on
/// using the token (whoami, the authorizer, the guard), not for the logouts that delete it. A
/// failed write is logged, not fatal: the token stays valid until its current expiry.
pub async fn renew(store: &impl Store, settings: &Settings, caller: &Caller) {
    let Some(sliding) = settings.token_refresh else {
        return;
    };
    let Some(expires) = sliding.renewed(caller.created, caller.expires, now()) else {
        return;
    };
    let per_login = settings.token_policy.is_per_login();
    match store
        .extend_token(Extension {
            username: &caller.username,
            key: &caller.key,
            expires,
            per_login_first: per_login,
        })
        .await
    {
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(username = caller.username, error = %error, "could not renew a token's expiry");
        }
    }
}

/// The username a presented key authenticates, or `None` if the key is unknown or expired.
/// A key that is not of the issued form is refused without a read.
pub async fn authenticate(
    store: &impl Store,
    settings: &Settings,
    key: &TokenKey,
) -> Result<Option<String>, StoreError> {
    Ok(live_record(store, settings, key)
        .await?
        .map(|record| record.username))
}

/// The record of a presented key, if the key is of the issued form and its token is live. A
/// token issued without an expiry (before `TOKEN_TTL_SECONDS` was set) expires, once a TTL is
/// set, that long after its creation.
async fn live_record(
    store: &impl Store,
    settings: &Settings,
    key: &TokenKey,
) -> Result<Option<TokenRecord>, StoreError> {
    if !key.is_well_formed() {
        return Ok(None);
    }
    let expiry = |record: &TokenRecord| {
        record.expires.or_else(|| {
            settings
                .token_ttl_seconds
                .map(|ttl| record.created.saturating_add(ttl))
        })
    };
    Ok(store
        .token(&key.digest())
        .await?
        .filter(|record| store::is_live(expiry(record), now())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::unreachable::UnreachableStore;

    #[tokio::test]
    async fn malformed_keys_are_refused_without_a_read() {
        for key in ["abc", "0123456789ABCDEF0123456789abcdef01234567", "é"] {
            assert_eq!(
                authenticate(&UnreachableStore, &Settings::default(), &TokenKey::new(key))
                    .await
                    .unwrap(),
                None
            );
        }
    }
}
