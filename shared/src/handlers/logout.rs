//! `POST /api/logout/`: deletes the presented token. The body is never read.

use http::{Method, Response, StatusCode};
use lambda_http::{Body, Request};

use super::{Endpoint, UsernameBody, authenticate};
use crate::Ctx;
use crate::auth;
use crate::response::{self, Failure};
use crate::store::Store;

const LOGOUT: Endpoint = Endpoint {
    name: "Logout",
    method: Method::POST,
    allow: "POST, OPTIONS",
    browsable: true,
    parses: &[
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ],
};

/// Answers a logout request with `{"username": null}` once the token is deleted.
pub async fn logout<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    LOGOUT.finish(revoke(ctx, request).await)
}

async fn revoke<S: Store>(ctx: &Ctx<S>, request: Request) -> Result<Response<Body>, Failure> {
    if request.method() == Method::OPTIONS {
        return Ok(LOGOUT.options());
    }
    LOGOUT.negotiate(&request)?;
    let (username, key) = authenticate(ctx, &request).await?;
    LOGOUT.check_method(&request)?;
    if !auth::revoke_token(&ctx.store, &username, &key).await? {
        // A concurrent logout (or a new login after an expiry) got there first.
        return Err(Failure::InvalidToken);
    }
    Ok(response::json(
        StatusCode::OK,
        &UsernameBody { username: None },
    ))
}
