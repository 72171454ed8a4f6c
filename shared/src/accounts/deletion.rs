//! A user deleted, with every token of theirs and its record, in one step once at most one
//! step's worth of tokens is left ([`revoke::shed`]).

use crate::audit::{self, Changer, Revocation};
use crate::store::rounds::{self, Round};
use crate::store::{Store, StoreError};
use crate::tokens::revoke;

/// What became of [`delete_user`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// Deleted, with this many tokens.
    Deleted {
        /// How many.
        revoked: usize,
    },
    /// No user has that name (any more).
    NoSuchUser,
    /// Other writers kept changing the user; nothing was deleted.
    Contention,
}

/// Deletes `username` and every token of theirs; `by` says who asked, for the audit event.
pub async fn delete_user(
    store: &impl Store,
    username: &str,
    by: Changer,
) -> Result<Deletion, StoreError> {
    let outcome = rounds::settle((), |()| async move {
        let Some(user) = store.user(username).await? else {
            return Ok(Round::Done(Deletion::NoSuchUser));
        };
        let Some(user) = revoke::shed(store, user, Revocation::Deletion).await? else {
            return Ok(Round::Lost(()));
        };
        if !store.delete_user(&user).await? {
            return Ok(Round::Lost(()));
        }
        audit::user_deleted(username, by);
        let revoked = user.token_count();
        if revoked > 0 {
            audit::token_revoked(username, Revocation::Deletion, revoked);
        }
        Ok::<_, StoreError>(Round::Done(Deletion::Deleted { revoked }))
    })
    .await?;
    Ok(outcome.unwrap_or(Deletion::Contention))
}
