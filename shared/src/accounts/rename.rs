//! A user renamed (djoser's `set_username`), with everything of theirs: id, password, email and
//! every token, whose records then name the new name. A per-user key's sealed copy is bound to
//! the old name, so the key is kept by its digest alone, as a per-login token is: it stays valid
//! until a logout, and the next login under the per-user policy makes a new one. Tokens whose
//! records are already gone (expired ones DynamoDB's TTL swept) are left behind.

use crate::audit::{self, Changer, Revocation};
use crate::secrets::token::TokenDigest;
use crate::store::rounds::{self, Round};
use crate::store::{PerLoginToken, Rename, Store, StoreError, User};
use crate::tokens::revoke;

/// What became of [`rename_user`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renaming {
    /// Renamed.
    Renamed,
    /// A user has the new name.
    Taken,
    /// No user has the old name (any more).
    NoSuchUser,
    /// The password changed (or the user was deactivated) since it was verified.
    NoLongerVerified,
    /// Other writers kept changing the user; nothing was written.
    Contention,
}

/// Renames `verified` (the user as read after a check of their password) to `new_name`, in one
/// transaction once at most one step's worth of their tokens is left (a user holding more loses
/// the ones beyond, revoked first, step by step).
pub async fn rename_user(
    store: &impl Store,
    verified: &User,
    new_name: &str,
) -> Result<Renaming, StoreError> {
    rename(store, &verified.username, Some(verified), new_name).await
}

/// Renames the user `username` to `new_name` for an operator, active or not, as
/// [`rename_user`] does.
pub async fn rename_for_operator(
    store: &impl Store,
    username: &str,
    new_name: &str,
) -> Result<Renaming, StoreError> {
    rename(store, username, None, new_name).await
}

/// Renames `username` to `new_name`: on the word of the user (`verified`, which must still be
/// active with the same credentials) or of an operator (`None`).
async fn rename(
    store: &impl Store,
    username: &str,
    verified: Option<&User>,
    new_name: &str,
) -> Result<Renaming, StoreError> {
    let outcome = rounds::settle(verified.cloned(), |read: Option<User>| async move {
        let user = match read {
            Some(user) => user,
            None => match store.user(username).await? {
                Some(user) => user,
                None => return Ok(Round::Done(Renaming::NoSuchUser)),
            },
        };
        if let Some(verified) = verified
            && (!user.active || user.credentials != verified.credentials)
        {
            return Ok(Round::Done(Renaming::NoLongerVerified));
        }
        if store.user(new_name).await?.is_some() {
            return Ok(Round::Done(Renaming::Taken));
        }
        let Some(user) = revoke::shed(store, user, Revocation::Rename).await? else {
            return Ok(Round::Lost(None));
        };
        let renamed = renamed(store, &user, new_name).await?;
        if !store
            .rename_user(Rename {
                read: &user,
                renamed: &renamed,
            })
            .await?
        {
            return Ok(Round::Lost(None));
        }
        let by = if verified.is_some() {
            Changer::User
        } else {
            Changer::Operator
        };
        audit::username_changed(username, new_name, by);
        Ok::<_, StoreError>(Round::Done(Renaming::Renamed))
    })
    .await?;
    Ok(outcome.unwrap_or(Renaming::Contention))
}

/// `user` as stored under `new_name`: every token whose record exists, the per-user key among
/// the per-login ones.
async fn renamed(store: &impl Store, user: &User, new_name: &str) -> Result<User, StoreError> {
    let existing = store.token_records(&user.token_digests()).await?;
    let exists = |digest: &TokenDigest| existing.iter().any(|(held, _)| held == digest);
    let key = user.per_user_token.iter().map(|token| PerLoginToken {
        digest: token.key.digest(),
        expires: token.expires,
    });
    let per_login_tokens = key
        .chain(user.per_login_tokens.iter().cloned())
        .filter(|token| exists(&token.digest))
        .collect();
    Ok(User {
        username: new_name.to_owned(),
        per_user_token: None,
        per_login_tokens,
        ..user.clone()
    })
}
