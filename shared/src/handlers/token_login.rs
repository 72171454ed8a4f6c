//! djoser's login (`TokenCreateView`): the body's username and password in,
//! `{"auth_token": ...}` out, under the same checks, lockout and token policy as DRF's login.
//! Its serializer differs from DRF's: both fields are optional (a missing one is bad
//! credentials), both are trimmed, and their errors list the password first. The
//! `Authorization` header is ignored, as at DRF's login.

use http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;

use super::Submission;
use crate::ctx::Ctx;
use crate::endpoint::TOKEN_LOGIN;
use crate::http::form::{CharField, FieldErrors};
use crate::http::response::{self, Failure};
use crate::login;
use crate::secrets::password::Password;
use crate::store::Store;

/// djoser's answer, under either token policy.
#[derive(Serialize)]
struct AuthTokenBody<'a> {
    auth_token: &'a str,
}

/// Parses the body, logs the user in, and answers their key.
pub(super) async fn create_token<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
) -> Result<Response<Body>, Failure> {
    let submitted = Submission::of(request);
    let mut fields = submitted
        .read(&TOKEN_LOGIN, &["password", "username"])
        .await?;
    let mut errors = FieldErrors::default();
    let password = errors.check(
        "password",
        CharField::TRIMMED.optional(fields.take("password")),
    );
    let username = errors.check(
        "username",
        CharField::TRIMMED.optional(fields.take("username")),
    );
    errors.into_result().map_err(Failure::Form)?;
    // djoser's `authenticate` finds no user without both.
    let (Some(Some(username)), Some(Some(password))) = (username, password) else {
        return Err(Failure::InvalidCredentials);
    };
    let granted = login::obtain_token_from(
        &ctx.store,
        &ctx.settings,
        &username,
        Password::new(password),
        submitted.source.as_deref(),
    )
    .await?;
    Ok(response::json(
        StatusCode::OK,
        &AuthTokenBody {
            auth_token: granted.key.expose(),
        },
    ))
}
