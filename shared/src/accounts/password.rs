//! A new password for a user, the one write path for an operator's (`authtoken user
//! set-password`) and the user's own (`POST /auth/users/set_password/`): the hash written and
//! the credentials moved to their next version, so that a login that verified the old password
//! issues no token once it is done; with [`TokenOnReset::Revoke`], every token of the user
//! deleted in the same step.

use crate::audit::{self, Changer, Revocation};
use crate::store::rounds::{self, Round};
use crate::store::{HashReplacement, PasswordChange, Store, StoreError, User};
use crate::tokens::revoke;

/// What happens to a user's tokens when their password is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOnReset {
    /// Delete them, in the same step: a stolen token must not outlive a password change.
    Revoke,
    /// Keep them valid (DRF's and djoser's behaviour).
    Keep,
}

/// A password hash to set, and on what terms.
#[derive(Debug, Clone, Copy)]
pub struct NewPassword<'a> {
    /// The new password's hash.
    pub hash: &'a str,
    /// What becomes of the user's tokens.
    pub tokens: TokenOnReset,
    /// Who sets it (for the audit event).
    pub by: Changer,
    /// The user as read when the change rests on a check of their current password: they must
    /// still have its credentials version (`None`: an operator's change, whatever the password
    /// is now).
    pub verified: Option<&'a User>,
}

/// What became of [`set_password_hash`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSet {
    /// Set; this many tokens were revoked with it.
    Set {
        /// How many.
        revoked: usize,
    },
    /// No user has that name (any more).
    NoSuchUser,
    /// The password changed (or the user was deactivated) since it was verified: the current
    /// password given is no longer theirs.
    NoLongerVerified,
    /// Other writers kept changing the user; nothing was written.
    Contention,
}

/// Sets `username`'s password hash as `new` says, in one conditional step, read again and
/// retried when another writer wins the race ([`rounds::settle`]). A verified user is the
/// first round's read.
pub async fn set_password_hash(
    store: &impl Store,
    username: &str,
    new: NewPassword<'_>,
) -> Result<PasswordSet, StoreError> {
    let verified = new.verified.map(|user| user.credentials);
    let first = new.verified.cloned();
    let outcome = rounds::settle(first, |read: Option<User>| async move {
        let user = match read {
            Some(user) => user,
            None => match store.user(username).await? {
                Some(user) => user,
                None => return Ok(Round::Done(PasswordSet::NoSuchUser)),
            },
        };
        let (written, revoked) = match new.tokens {
            TokenOnReset::Revoke => {
                let Some(user) = revoke::shed(store, user, revocation(new.by)).await? else {
                    return Ok(Round::Lost(None));
                };
                if !still_verified(&user, verified) {
                    return Ok(Round::Done(PasswordSet::NoLongerVerified));
                }
                let written = store.reset_password(&user, new.hash).await?;
                (written, user.token_count())
            }
            TokenOnReset::Keep => {
                if !still_verified(&user, verified) {
                    return Ok(Round::Done(PasswordSet::NoLongerVerified));
                }
                let written = store
                    .replace_password_hash(HashReplacement {
                        username,
                        old_hash: &user.password_hash,
                        new_hash: new.hash,
                        change: PasswordChange::NewPassword,
                    })
                    .await?;
                (written, 0)
            }
        };
        if !written {
            return Ok(Round::Lost(None));
        }
        audit::password_changed(username, new.by);
        if revoked > 0 {
            audit::token_revoked(username, revocation(new.by), revoked);
        }
        Ok::<_, StoreError>(Round::Done(PasswordSet::Set { revoked }))
    })
    .await?;
    Ok(outcome.unwrap_or(PasswordSet::Contention))
}

/// Whether `user` still has the credentials version a check of their password verified (and is
/// active, which a user whose password was verified was).
fn still_verified(user: &User, verified: Option<u64>) -> bool {
    verified.is_none_or(|version| user.active && user.credentials == version)
}

/// What the audit events call the revocation a password change makes.
fn revocation(by: Changer) -> Revocation {
    match by {
        Changer::Operator => Revocation::PasswordReset,
        Changer::User => Revocation::PasswordChange,
    }
}
