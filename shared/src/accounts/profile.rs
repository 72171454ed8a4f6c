//! The user's id as djoser's `/auth/users/me/` shows it: assigned once to a user created before
//! ids existed. (Their email address is one store write, [`Store::set_email`].)

use crate::store::rounds::{self, Round};
use crate::store::{Store, StoreError, User};

/// `read` with an id: their own, or, for a user created before ids, the next of the store's
/// counter, written on condition that they still have none (a concurrent assignment wins, and
/// its id is the one answered). `Ok(None)` if the user is gone; an error if other writers kept
/// them changing.
pub async fn with_id(store: &impl Store, read: User) -> Result<Option<User>, StoreError> {
    if read.id.is_some() {
        return Ok(Some(read));
    }
    let username = read.username.clone();
    let outcome = rounds::settle(read, |user: User| {
        let username = username.clone();
        async move {
            if user.id.is_some() {
                return Ok::<_, StoreError>(Round::Done(Some(user)));
            }
            let id = store.allocate_user_id().await?;
            if store.assign_user_id(&username, id).await? {
                return Ok(Round::Done(Some(User {
                    id: Some(id),
                    ..user
                })));
            }
            // Gone, or given an id meanwhile: read again.
            match store.user(&username).await? {
                Some(fresh) => Ok(Round::Lost(fresh)),
                None => Ok(Round::Done(None)),
            }
        }
    })
    .await?;
    outcome.ok_or_else(|| StoreError::Unavailable("the user kept changing".into()))
}
