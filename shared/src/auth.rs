//! Tokens for users: issuing one (for a login, or an operator) under the policy in force,
//! authenticating a presented key, renewing its expiry under sliding expiry. The login itself,
//! with its password and lockout checks, is [`crate::login`]; taking tokens away is
//! [`crate::revocation`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::audit::{self, Issuance};
use crate::config::Settings;
use crate::policy::TokenPolicy;
use crate::seal::{KeptKey, Opened};
use crate::store::rounds;
use crate::store::{
    self, Extension, Installation, IssuedChange, NewToken, PerUserToken, Store, StoreError,
    TOKENS_PER_STEP, TokenRecord, User,
};
use crate::token::TokenKey;

/// Epoch seconds as DRF (and knox) write datetimes: RFC 3339 in UTC, `2026-11-29T10:00:00Z`.
pub fn rfc3339(seconds: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(seconds)).to_string()
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// A token handed to a user: its key (the only time it leaves the store, under the per-login
/// policy the only time it exists anywhere) and when it expires.
#[derive(Debug, Clone)]
pub struct Granted {
    /// The key to present.
    pub key: TokenKey,
    /// When it stops being valid, in seconds since the epoch; `None` = never.
    pub expires: Option<u64>,
}

/// What [`issue_token`] achieved.
pub(crate) enum Ensured {
    /// The user's token, current or new.
    Token(Granted),
    /// The per-login policy's limit: the user holds as many live tokens as allowed.
    LimitReached,
    /// The user was deleted or deactivated meanwhile, or (for a login) their password changed.
    UserUnavailable,
    /// Other writers kept changing the user's tokens.
    Contention,
}

/// Whose credentials a token is issued on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Issuer {
    /// A login that verified the password of this credentials version: the token is written
    /// only while the user still has it, so that none is issued once the password changes.
    Login {
        /// The [`User::credentials`] whose password was verified.
        credentials: u64,
    },
    /// An operator (or an import): no password was verified.
    Operator(Issuance),
}

impl Issuer {
    fn issuance(self) -> Issuance {
        match self {
            Issuer::Login { .. } => Issuance::Login,
            Issuer::Operator(issuance) => issuance,
        }
    }

    /// Whether `user`, as read again after a lost race, may still get a token from this issuer.
    fn still_accepts(self, user: &User) -> bool {
        user.active
            && match self {
                Issuer::Login { credentials } => user.credentials == credentials,
                Issuer::Operator(_) => true,
            }
    }
}

/// A token for `user` under the policy in force: under per-user their current one
/// ([`ensure_token`]), under per-login a new one ([`issue_per_login`]).
pub(crate) async fn issue_token(
    store: &impl Store,
    settings: &Settings,
    user: User,
    reset: bool,
    issuer: Issuer,
) -> Result<Ensured, StoreError> {
    match settings.token_policy {
        TokenPolicy::PerUser => ensure_token(store, settings, user, reset, issuer).await,
        TokenPolicy::PerLogin { .. } => issue_per_login(store, settings, user, issuer).await,
    }
}

/// Returns `user`'s current token if it is still valid and `reset` is false; otherwise installs a
/// new one in its place. Losing a race to another writer re-reads the user and decides again, so
/// concurrent callers all end up with the one token that was installed.
async fn ensure_token(
    store: &impl Store,
    settings: &Settings,
    user: User,
    reset: bool,
    issuer: Issuer,
) -> Result<Ensured, StoreError> {
    settle_on_active_user(store, user, issuer, |user| async move {
        let now = now();
        // A key issued without an expiry, before a TTL was set, expires a TTL after its
        // creation, which the user item does not hold: a new one is issued in its place.
        let outlived_the_ttl = |current: &PerUserToken| {
            current.expires.is_none() && settings.token_ttl_seconds.is_some()
        };
        if let Some(current) = &user.per_user_token
            && !reset
            && store::is_live(current.expires, now)
            && !outlived_the_ttl(current)
            && let Some(key) = handed_back(store, &user.username, &current.key).await?
        {
            return Ok(Some(Ensured::Token(Granted {
                key,
                expires: current.expires,
            })));
        }
        let token = new_token(settings, now);
        let sealed = store.sealer().seal(&user.username, &token.key).await?;
        let replacing = user.per_user_token.as_ref().map(|current| &current.key);
        if !store
            .install_token(Installation {
                username: &user.username,
                token: &token,
                sealed: &sealed,
                replacing,
                credentials: user.credentials,
            })
            .await?
        {
            // Most often a concurrent first login installed its token first.
            return Ok(None);
        }
        audit::token_issued(&user.username, issuer.issuance());
        Ok(Some(granted(token)))
    })
    .await
}

/// The key `kept` on `username`, opened to be handed back, and sealed again under the current
/// secret if it was kept in an older form (a failure to do so is logged, and the login goes
/// on: the key stays valid in its older form). `None` if it cannot be opened (sealed under a
/// secret no longer known, or altered): the caller issues a new one in its place.
async fn handed_back(
    store: &impl Store,
    username: &str,
    kept: &KeptKey,
) -> Result<Option<TokenKey>, StoreError> {
    let key = match store.sealer().open(username, kept).await? {
        Opened::Current(key) => key,
        Opened::Stale(key) => {
            if let Err(error) = reseal(store, username, kept, &key).await {
                tracing::warn!(
                    error = %crate::logging::chain(&error),
                    "a per-user key kept in an older form could not be sealed again"
                );
            }
            key
        }
        Opened::Lost => {
            tracing::warn!(
                "a per-user key could not be opened (sealed under a secret no longer known, \
                 or altered): a new token replaces it"
            );
            return Ok(None);
        }
    };
    Ok(Some(key))
}

/// Seals `key`, kept on `username` as `kept`, under the current secret, unless the user's key
/// changed meanwhile. `Ok(false)` if it did.
pub(crate) async fn reseal(
    store: &impl Store,
    username: &str,
    kept: &KeptKey,
    key: &TokenKey,
) -> Result<bool, StoreError> {
    let sealed = store.sealer().seal(username, key).await?;
    store.reseal_key(username, kept, &sealed).await
}

/// Issues `user` a new token under the per-login policy, unless they hold as many live tokens
/// as it allows. In the same atomic step, expired tokens are taken off the user and a per-user
/// key they still hold (from before a switch of policy) joins the per-login ones, still valid
/// but no longer stored in plain text. Losing a race to another writer re-reads the user and
/// decides again, so N concurrent logins under a limit of L leave at most L tokens.
async fn issue_per_login(
    store: &impl Store,
    settings: &Settings,
    user: User,
    issuer: Issuer,
) -> Result<Ensured, StoreError> {
    settle_on_active_user(store, user, issuer, |user| async move {
        let now = now();
        let live_issued = user
            .per_login_tokens
            .iter()
            .filter(|issued| store::is_live(issued.expires, now))
            .count();
        let live_key = user
            .per_user_token
            .as_ref()
            .filter(|token| store::is_live(token.expires, now));
        if live_issued + usize::from(live_key.is_some()) >= settings.token_policy.tokens_allowed() {
            return Ok(Some(Ensured::LimitReached));
        }
        // The step also puts the new record and updates the user: room for this many more.
        let expired: Vec<_> = user
            .per_login_tokens
            .iter()
            .filter(|issued| !store::is_live(issued.expires, now))
            .map(|issued| issued.digest.clone())
            .collect();
        let pruned: Vec<_> = expired.iter().take(TOKENS_PER_STEP - 2).cloned().collect();
        // Expired tokens left listed (beyond one step's pruning) do not count either.
        let listed_but_expired = expired.len() - pruned.len();
        let allowed = settings.token_policy.tokens_allowed() + listed_but_expired;
        let token = new_token(settings, now);
        let change = IssuedChange {
            new: Some(token.clone()),
            pruned,
            at_most: Some(allowed.min(store::MAX_TOKENS_PER_USER)),
        };
        if !store.update_issued(&user, &change).await? {
            return Ok(None);
        }
        audit::token_issued(&user.username, issuer.issuance());
        Ok(Some(granted(token)))
    })
    .await
}

/// Runs `round` on `user` and, each time it loses a race to another writer (`Ok(None)`), on
/// the user read again, at most [`rounds::MAX_ROUNDS`] times in all: decide, write on
/// condition, and on a lost race read again and decide again, as long as the user is active
/// and (for a login) still has the credentials it verified.
async fn settle_on_active_user<Next>(
    store: &impl Store,
    user: User,
    issuer: Issuer,
    mut round: impl FnMut(User) -> Next,
) -> Result<Ensured, StoreError>
where
    Next: Future<Output = Result<Option<Ensured>, StoreError>>,
{
    let username = user.username.clone();
    let mut read_already = Some(user);
    for _ in 0..rounds::MAX_ROUNDS {
        let user = match read_already.take() {
            Some(user) => user,
            None => match store.user(&username).await? {
                Some(user) if issuer.still_accepts(&user) => user,
                _ => return Ok(Ensured::UserUnavailable),
            },
        };
        if let Some(outcome) = round(user).await? {
            return Ok(outcome);
        }
    }
    Ok(Ensured::Contention)
}

/// What the user is handed of a token just issued.
fn granted(token: NewToken) -> Ensured {
    Ensured::Token(Granted {
        key: token.key,
        expires: token.expires,
    })
}

/// A fresh token issued at `now`, with the configured form and lifetime.
fn new_token(settings: &Settings, now: u64) -> NewToken {
    NewToken {
        key: TokenKey::generate(settings.token_format),
        created: now,
        expires: settings.token_ttl_seconds.map(|ttl| now + ttl),
    }
}

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

    #[test]
    fn expiries_read_as_drf_writes_datetimes() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_946_400), "2026-11-29T10:00:00Z");
    }

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
