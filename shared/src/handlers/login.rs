//! login's work (DRF's `ObtainAuthToken`): the body's username and password in, `{"token": ...}`
//! out, or under the per-login policy knox's `{"expiry": ..., "token": ...}`. The
//! `Authorization` header is ignored, so a stale one cannot block a fresh login.

use crate::clock;
use http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;

use super::Submission;
use crate::ctx::Ctx;
use crate::http::form;
use crate::http::response::{self, Failure};
use crate::login;
use crate::store::Store;

/// DRF's answer.
#[derive(Serialize)]
struct TokenBody<'a> {
    token: &'a str,
}

/// knox's answer: when the token expires (RFC 3339, UTC, `null` for never), then the key.
#[derive(Serialize)]
struct ExpiringTokenBody<'a> {
    expiry: Option<String>,
    token: &'a str,
}

/// Parses the body, logs the user in, and answers their key.
pub(super) async fn obtain_token<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
) -> Result<Response<Body>, Failure> {
    let submitted = Submission::of(request);
    let form = form::parse(submitted.content_type.as_deref(), submitted.body)
        .await
        .map_err(Failure::Form)?;
    let granted = login::obtain_token_from(
        &ctx.store,
        &ctx.settings,
        &form.username,
        form.password,
        submitted.source.as_deref(),
    )
    .await?;
    let token = granted.key.expose();
    Ok(if ctx.settings.token_policy.is_per_login() {
        let expiry = granted.expires.map(clock::rfc3339);
        response::json(StatusCode::OK, &ExpiringTokenBody { expiry, token })
    } else {
        response::json(StatusCode::OK, &TokenBody { token })
    })
}
