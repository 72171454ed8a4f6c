//! djoser's `set_username`: the caller's `current_password` and a `new_username` in, 204 out
//! once the user is renamed. Both fields are checked, each with every message, in djoser's
//! order (`current_password`, then `new_username`: the character rule, taken, 150 characters);
//! the current password under the lockout. The caller's key stays valid under the new name.

use http::Response;
use lambda_http::{Body, Request};

use super::{Submission, current_password, username_field};
use crate::accounts::rename::{self, Renaming};
use crate::ctx::Ctx;
use crate::endpoint::SET_USERNAME;
use crate::http::form::{FieldErrors, FormError};
use crate::http::response::{self, Failure};
use crate::store::Store;
use crate::tokens::Caller;
use crate::username::Username;

/// Checks the body and renames the caller.
pub(super) async fn set_username<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
    caller: &Caller,
) -> Result<Response<Body>, Failure> {
    let submitted = Submission::of(request);
    let mut fields = submitted
        .read(&SET_USERNAME, &["current_password", "new_username"])
        .await?;
    let mut errors = FieldErrors::default();
    let current = fields.take("current_password");
    let checked = current_password::check(ctx, caller, current, submitted.source.as_deref());
    let verified = errors.check("current_password", checked.await?);
    let name = match username_field::check(ctx, fields.take("new_username")).await? {
        Ok(name) => Some(name),
        Err(messages) => {
            errors.add("new_username", messages);
            None
        }
    };
    let (Some(verified), Some(name)) = (verified, name) else {
        return Err(Failure::Form(FormError::Fields(errors)));
    };
    let new_name = Username::parse(&name, ctx.settings.usernames)
        .map_err(|_| new_username_error(username_field::too_long()))?
        .into_string();
    match rename::rename_user(&ctx.store, &verified, &new_name).await? {
        Renaming::Renamed => Ok(response::no_content()),
        Renaming::Taken => Err(new_username_error(username_field::TAKEN.to_owned())),
        // Deleted since: their key with them.
        Renaming::NoSuchUser => Err(Failure::InvalidToken),
        Renaming::NoLongerVerified => Err(Failure::Form(FieldErrors::of(
            "current_password",
            vec![current_password::INVALID_PASSWORD.to_owned()],
        ))),
        Renaming::Contention => Err(Failure::Unavailable("the user kept changing".into())),
    }
}

/// The 400 of the `new_username` field.
fn new_username_error(message: String) -> Failure {
    Failure::Form(FieldErrors::of("new_username", vec![message]))
}
