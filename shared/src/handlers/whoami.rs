//! `GET /api/whoami/`: the username the presented token authenticates. One store read.

use http::{Method, Response, StatusCode};
use lambda_http::{Body, Request};

use super::{Endpoint, UsernameBody, authenticate};
use crate::Ctx;
use crate::response::{self, Failure};
use crate::store::Store;

const WHOAMI: Endpoint = Endpoint {
    name: "Whoami",
    method: Method::GET,
    allow: "GET, OPTIONS",
    browsable: true,
    parses: &[
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ],
};

/// Answers a whoami request with `{"username": ...}`.
pub async fn whoami<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    WHOAMI.finish(identify(ctx, request).await)
}

async fn identify<S: Store>(ctx: &Ctx<S>, request: Request) -> Result<Response<Body>, Failure> {
    if request.method() == Method::OPTIONS {
        return Ok(WHOAMI.options());
    }
    WHOAMI.negotiate(&request)?;
    let (username, _) = authenticate(ctx, &request).await?;
    WHOAMI.check_method(&request)?;
    Ok(response::json(
        StatusCode::OK,
        &UsernameBody {
            username: Some(&username),
        },
    ))
}
