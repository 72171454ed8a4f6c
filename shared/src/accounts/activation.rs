//! A user's new address under `SEND_ACTIVATION_EMAIL`, as djoser handles it: the user is
//! deactivated with the new address set, in one step that also revokes every token of theirs (an
//! inactive user holds no valid token), until they follow the activation link sent to it.

use crate::audit::{self, Changer, Revocation};
use crate::store::rounds::{self, Round};
use crate::store::{Store, StoreError};
use crate::tokens::revoke;

/// What became of [`readdress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readdress {
    /// The address is set and the user inactive, with this many tokens revoked.
    Deactivated {
        /// How many.
        revoked: usize,
    },
    /// No user has that name (any more).
    NoSuchUser,
    /// Other writers kept changing the user; nothing was changed.
    Contention,
}

/// Sets `username`'s address to `email` and deactivates them, revoking every token of theirs.
pub async fn readdress(
    store: &impl Store,
    username: &str,
    email: &str,
) -> Result<Readdress, StoreError> {
    let outcome = rounds::settle((), |()| async move {
        let Some(user) = store.user(username).await? else {
            return Ok(Round::Done(Readdress::NoSuchUser));
        };
        let Some(user) = revoke::shed(store, user, Revocation::Deactivation).await? else {
            return Ok(Round::Lost(()));
        };
        if !store.deactivate_readdressed(&user, email).await? {
            return Ok(Round::Lost(()));
        }
        audit::user_activation_changed(username, false, Changer::User);
        let revoked = user.token_count();
        if revoked > 0 {
            audit::token_revoked(username, Revocation::Deactivation, revoked);
        }
        Ok::<_, StoreError>(Round::Done(Readdress::Deactivated { revoked }))
    })
    .await?;
    Ok(outcome.unwrap_or(Readdress::Contention))
}
