//! login's work (DRF's `ObtainAuthToken`): the body's username and password in, `{"token": ...}`
//! out. The `Authorization` header is ignored, so a stale one cannot block a fresh login.

use http::header::CONTENT_TYPE;
use http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;

use super::body_bytes;
use crate::ctx::Ctx;
use crate::form;
use crate::login;
use crate::response::{self, Failure};
use crate::store::Store;

#[derive(Serialize)]
struct TokenBody<'a> {
    token: &'a str,
}

/// Parses the body, logs the user in, and answers their key.
pub(super) async fn obtain_token<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
) -> Result<Response<Body>, Failure> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .map(|value| value.as_bytes().to_vec());
    let body = body_bytes(request.into_body());
    let form = form::parse(content_type.as_deref(), body)
        .await
        .map_err(Failure::Form)?;
    let key = login::obtain_token(&ctx.store, &ctx.settings, &form.username, form.password).await?;
    Ok(response::json(
        StatusCode::OK,
        &TokenBody {
            token: key.expose(),
        },
    ))
}
