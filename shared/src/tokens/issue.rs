//! Issuing a token (for a login, or an operator) under the policy in force: under per-user the
//! user's current one or a new one installed race-free, under per-login a new one within the
//! limit. The login itself, with its password and lockout checks, is [`crate::login`].

use crate::audit::{self, Issuance};
use crate::clock::now;
use crate::config::Settings;
use crate::policy::TokenPolicy;
use crate::secrets::seal::{KeptKey, Opened};
use crate::secrets::token::TokenKey;
use crate::store::rounds;
use crate::store::{
    self, Installation, IssuedChange, NewToken, PerUserToken, Reseal, Store, StoreError,
    TOKENS_PER_STEP, User,
};

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
    Operator {
        /// How the audit event names the issuance.
        issuance: Issuance,
        /// Under the per-user policy, a new token in place of a current one that is still
        /// valid (a login never asks for this: it hands back DRF's one token per user).
        reset: bool,
    },
}

impl Issuer {
    fn issuance(self) -> Issuance {
        match self {
            Issuer::Login { .. } => Issuance::Login,
            Issuer::Operator { issuance, .. } => issuance,
        }
    }

    /// Whether a valid per-user token is to be replaced rather than handed back.
    fn resets(self) -> bool {
        matches!(self, Issuer::Operator { reset: true, .. })
    }

    /// Whether `user`, as read again after a lost race, may still get a token from this issuer.
    fn still_accepts(self, user: &User) -> bool {
        user.active
            && match self {
                Issuer::Login { credentials } => user.credentials == credentials,
                Issuer::Operator { .. } => true,
            }
    }
}

/// A token for `user` under the policy in force: under per-user their current one
/// ([`Round::per_user`]), under per-login a new one ([`Round::per_login`]). Losing a race to
/// another writer re-reads the user and decides again ([`settle_on_active_user`]).
pub(crate) async fn issue_token(
    store: &impl Store,
    settings: &Settings,
    user: User,
    issuer: Issuer,
) -> Result<Ensured, StoreError> {
    settle_on_active_user(store, user, issuer, |user| async move {
        let round = Round {
            store,
            settings,
            issuer,
            now: now(),
        };
        match settings.token_policy {
            TokenPolicy::PerUser => round.per_user(user).await,
            TokenPolicy::PerLogin { .. } => round.per_login(user).await,
        }
    })
    .await
}

/// One decision on the user as last read, and its conditional write: `Ok(None)` when the
/// write lost a race to another writer.
struct Round<'a, S> {
    store: &'a S,
    settings: &'a Settings,
    issuer: Issuer,
    /// The time the round decides at, in seconds since the epoch.
    now: u64,
}

impl<S: Store> Round<'_, S> {
    /// Under the per-user policy: the user's current token if it is still valid and the
    /// issuer does not reset it; otherwise a new one installed in its place, so that
    /// concurrent callers all end up with the one token that was installed.
    async fn per_user(&self, user: User) -> Result<Option<Ensured>, StoreError> {
        let Round {
            store,
            settings,
            issuer,
            now,
        } = *self;
        // A key issued without an expiry, before a TTL was set, expires a TTL after its
        // creation, which the user item does not hold: a new one is issued in its place.
        let outlived_the_ttl = |current: &PerUserToken| {
            current.expires.is_none() && settings.token_ttl_seconds.is_some()
        };
        if let Some(current) = &user.per_user_token
            && !issuer.resets()
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
    }

    /// Under the per-login policy: a new token, unless the user holds as many live tokens as
    /// the policy allows. In the same atomic step, expired tokens are taken off the user and a
    /// per-user key they still hold (from before a switch of policy) joins the per-login ones,
    /// still valid but no longer stored in plain text; N concurrent logins under a limit of L
    /// leave at most L tokens.
    async fn per_login(&self, user: User) -> Result<Option<Ensured>, StoreError> {
        let now = self.now;
        let limit = self.settings.token_policy.tokens_allowed();
        let live_issued = user
            .per_login_tokens
            .iter()
            .filter(|issued| store::is_live(issued.expires, now))
            .count();
        let live_key = user
            .per_user_token
            .as_ref()
            .filter(|token| store::is_live(token.expires, now));
        if live_issued + usize::from(live_key.is_some()) >= limit {
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
        let allowed = limit + listed_but_expired;
        let token = new_token(self.settings, now);
        let change = IssuedChange {
            new: Some(token.clone()),
            pruned,
            at_most: Some(allowed.min(store::MAX_TOKENS_PER_USER)),
        };
        if !self.store.update_issued(&user, &change).await? {
            return Ok(None);
        }
        audit::token_issued(&user.username, self.issuer.issuance());
        Ok(Some(granted(token)))
    }
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
    store
        .reseal_key(Reseal {
            username,
            read: kept,
            sealed: &sealed,
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
