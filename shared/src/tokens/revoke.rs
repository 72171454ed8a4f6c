//! Taking tokens away: the one a logout presents, or every token of a user (logout-all, and
//! before a deactivation, deletion or password reset), whichever policy issued them.
//!
//! A user's tokens go in steps of at most [`TOKENS_PER_STEP`], each one atomic (the records and
//! the user's list of them together), re-reading the user between steps, so that no token
//! survives whatever their number and a concurrent login cannot leave an unlisted one behind.

use crate::audit::{self, Revocation};
use crate::policy::TokenPolicy;
use crate::secrets::token::TokenKey;
use crate::store::rounds::MAX_ROUNDS;
use crate::store::{
    HeldKey, MAX_TOKENS_PER_USER, Revoked, Store, StoreError, TOKENS_PER_STEP, User,
};

/// Steps [`revoke_all`] and [`shed`] take at most: the most tokens a user can hold, a step at a
/// time, plus a few rounds lost to concurrent writers.
const MAX_STEPS: usize = MAX_TOKENS_PER_USER / TOKENS_PER_STEP + 2 * MAX_ROUNDS;

/// Deletes `username`'s token `key`, issued under either policy (`policy`, the one in force,
/// says which to try first, so that a logout costs one write). `Ok(false)` if it is no longer
/// theirs.
pub async fn revoke_presented(
    store: &impl Store,
    policy: TokenPolicy,
    username: &str,
    key: &TokenKey,
    by: Revocation,
) -> Result<bool, StoreError> {
    let as_key = Revoked {
        key: Some(HeldKey::presented(key)),
        issued: Vec::new(),
    };
    let as_issued = Revoked {
        key: None,
        issued: vec![key.digest()],
    };
    let attempts = if policy.is_per_login() {
        [as_issued, as_key]
    } else {
        [as_key, as_issued]
    };
    for revoked in &attempts {
        if store.revoke_tokens(username, revoked).await? {
            audit::token_revoked(username, by, 1);
            return Ok(true);
        }
    }
    Ok(false)
}

/// Deletes every token of `username`, under both policies, and returns how many; `Ok(None)` if
/// concurrent logins kept adding tokens faster than they could be deleted.
pub async fn revoke_all(
    store: &impl Store,
    username: &str,
    by: Revocation,
) -> Result<Option<usize>, StoreError> {
    let mut revoked = 0;
    for _ in 0..MAX_STEPS {
        let Some(user) = store.user(username).await? else {
            return Ok(Some(revoked));
        };
        if !user.holds_tokens() {
            return Ok(Some(revoked));
        }
        revoked += revoke_step(store, &user, by).await?;
    }
    Ok(None)
}

/// The user as read once at most [`TOKENS_PER_STEP`] per-login tokens are left, so that one
/// atomic step can take the rest with the user's change (deactivation, deletion, password
/// reset). `Ok(None)` if the user is gone, or kept gaining tokens.
pub async fn shed(
    store: &impl Store,
    mut user: User,
    by: Revocation,
) -> Result<Option<User>, StoreError> {
    for _ in 0..MAX_STEPS {
        if user.per_login_tokens.len() <= TOKENS_PER_STEP {
            return Ok(Some(user));
        }
        revoke_step(store, &user, by).await?;
        match store.user(&user.username).await? {
            Some(fresh) => user = fresh,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// Deletes up to [`TOKENS_PER_STEP`] of the tokens `user` holds as read, in one atomic step;
/// returns how many (0 if the user changed meanwhile: the caller reads again).
async fn revoke_step(store: &impl Store, user: &User, by: Revocation) -> Result<usize, StoreError> {
    let step = Revoked::held_by(user, TOKENS_PER_STEP);
    let count = step.count();
    if !store.revoke_tokens(&user.username, &step).await? {
        return Ok(0);
    }
    audit::token_revoked(&user.username, by, count);
    Ok(count)
}
