//! djoser's `/auth/users/me/`: the caller's account. `GET` (and `HEAD`) answers
//! `{"email", "id", "username"}`; `PUT` and `PATCH` change the email address (the username and
//! id are read-only, and ignored when sent) and answer the same (under `SEND_ACTIVATION_EMAIL`
//! a new address deactivates the caller until they follow the link sent to it); `DELETE` with
//! the caller's
//! `current_password` (checked under the lockout, as `set_password` checks it) deletes the user
//! and every token of theirs, 204.

use http::{Method, Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;

use super::{Submission, current_password};
use crate::accounts::activation::{self, Readdress};
use crate::accounts::deletion::{self, Deletion};
use crate::accounts::profile;
use crate::audit::Changer;
use crate::ctx::Ctx;
use crate::endpoint::ME;
use crate::http::form::{EmailField, FieldErrors, Raw};
use crate::http::response::{self, Failure};
use crate::mail::MailRequest;
use crate::store::{Store, User};
use crate::tokens::Caller;

/// djoser's `UserSerializer`: the fields in its order.
#[derive(Serialize)]
struct Account<'a> {
    email: &'a str,
    id: u64,
    username: &'a str,
}

/// Answers the request's method.
pub(super) async fn me<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
    caller: &Caller,
) -> Result<Response<Body>, Failure> {
    match *request.method() {
        Method::PUT | Method::PATCH => update(ctx, request, caller).await,
        Method::DELETE => delete(ctx, request, caller).await,
        // GET and HEAD: the pipeline has answered the other methods.
        _ => account(ctx, caller).await,
    }
}

/// The caller's account.
async fn account<S: Store>(ctx: &Ctx<S>, caller: &Caller) -> Result<Response<Body>, Failure> {
    let user = stored(ctx, caller).await?;
    answer(&user)
}

/// The caller as stored, with an id; 401 if they were deleted since their key was read.
async fn stored<S: Store>(ctx: &Ctx<S>, caller: &Caller) -> Result<User, Failure> {
    let user = ctx
        .store
        .user(&caller.username)
        .await?
        .ok_or(Failure::InvalidToken)?;
    profile::with_id(&ctx.store, user)
        .await?
        .ok_or(Failure::InvalidToken)
}

/// `{"email", "id", "username"}` of `user`, who has an id.
fn answer(user: &User) -> Result<Response<Body>, Failure> {
    let id = user
        .id
        .ok_or_else(|| Failure::Internal("a user answered without an id".into()))?;
    Ok(response::json(
        StatusCode::OK,
        &Account {
            email: &user.email,
            id,
            username: &user.username,
        },
    ))
}

/// `PUT`/`PATCH`: a new email address, if the body has one; then the account.
async fn update<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
    caller: &Caller,
) -> Result<Response<Body>, Failure> {
    let submitted = Submission::of(request);
    let mut fields = submitted.read(&ME, &["email"]).await?;
    let raw = fields.take("email");
    if ctx.settings.mail.send_activation && !matches!(raw, Raw::Missing) {
        let email = EmailField::required_and_stored(raw)
            .map_err(|messages| Failure::Form(FieldErrors::of("email", messages)))?;
        return readdress(ctx, caller, email, submitted.source).await;
    }
    let email = EmailField::optional(raw)
        .map_err(|messages| Failure::Form(FieldErrors::of("email", messages)))?;
    if let Some(email) = email
        && !ctx.store.set_email(&caller.username, &email).await?
    {
        return Err(Failure::InvalidToken);
    }
    account(ctx, caller).await
}

/// Under `SEND_ACTIVATION_EMAIL`, as djoser: a new address (another than the caller's, exactly)
/// deactivates the caller, revoking every token of theirs, and an activation link is queued for
/// it; the account is answered as it now is. The same address changes nothing.
async fn readdress<S: Store>(
    ctx: &Ctx<S>,
    caller: &Caller,
    email: String,
    source: Option<String>,
) -> Result<Response<Body>, Failure> {
    let user = stored(ctx, caller).await?;
    if user.email == email {
        return answer(&user);
    }
    match activation::readdress(&ctx.store, &caller.username, &email).await? {
        Readdress::Deactivated { .. } => {}
        Readdress::NoSuchUser => return Err(Failure::InvalidToken),
        Readdress::Contention => {
            return Err(Failure::Unavailable("the user kept changing".into()));
        }
    }
    let link = MailRequest::Activation {
        username: caller.username.clone(),
        source,
    };
    // A lost request leaves the user inactive: `resend_activation` sends the link again.
    ctx.mailbox.post_or_log(&link).await;
    answer(&User { email, ..user })
}

/// `DELETE`: the account and every token of theirs, given the current password.
async fn delete<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
    caller: &Caller,
) -> Result<Response<Body>, Failure> {
    let submitted = Submission::of(request);
    let mut fields = submitted.read(&ME, &["current_password"]).await?;
    let current = fields.take("current_password");
    current_password::check(ctx, caller, current, submitted.source.as_deref())
        .await?
        .map_err(|message| {
            Failure::Form(FieldErrors::of(
                "current_password",
                vec![message.to_owned()],
            ))
        })?;
    match deletion::delete_user(&ctx.store, &caller.username, Changer::User).await? {
        Deletion::Deleted { .. } => Ok(response::no_content()),
        Deletion::NoSuchUser => Err(Failure::InvalidToken),
        Deletion::Contention => Err(Failure::Unavailable("the user kept changing".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_is_written_in_djosers_field_order() {
        let account = Account {
            email: "",
            id: 1,
            username: "ann",
        };
        assert_eq!(
            serde_json::to_string(&account).unwrap(),
            r#"{"email":"","id":1,"username":"ann"}"#
        );
    }
}
