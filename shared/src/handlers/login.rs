//! `POST /api-token-auth/`: username and password in, `{"token": ...}` out (DRF's
//! `ObtainAuthToken`). The `Authorization` header is ignored, so a stale one cannot block a
//! fresh login.

use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Method, Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;

use super::{Endpoint, MAX_BODY_BYTES, body_bytes};
use crate::Ctx;
use crate::auth;
use crate::form;
use crate::response::{self, Failure};
use crate::store::Store;

const LOGIN: Endpoint = Endpoint {
    name: "Obtain Auth Token",
    method: Method::POST,
    allow: "POST, OPTIONS",
    browsable: false,
    parses: &[
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/json",
    ],
};

#[derive(Serialize)]
struct TokenBody<'a> {
    token: &'a str,
}

/// Answers a login request. Every answer carries `Cache-Control: no-store`: it may hold a key.
pub async fn login<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    let mut response = LOGIN.finish(obtain_token(ctx, request).await);
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn obtain_token<S: Store>(ctx: &Ctx<S>, request: Request) -> Result<Response<Body>, Failure> {
    if request.method() == Method::OPTIONS {
        return Ok(LOGIN.options());
    }
    LOGIN.negotiate(&request)?;
    LOGIN.check_method(&request)?;
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .map(|value| value.as_bytes().to_vec());
    let body = body_bytes(request.into_body());
    if body.len() > MAX_BODY_BYTES {
        return Err(Failure::PayloadTooLarge);
    }
    let form = form::parse(content_type.as_deref(), body)
        .await
        .map_err(Failure::Form)?;
    let key = auth::obtain_token(&ctx.store, &ctx.settings, &form.username, form.password).await?;
    Ok(response::json(
        StatusCode::OK,
        &TokenBody {
            token: key.expose(),
        },
    ))
}
