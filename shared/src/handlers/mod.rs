//! The three endpoints as plain async functions from a request to a response. They know nothing
//! of Lambda or of the local server: both call them as they are.
//!
//! Checks run in DRF's order: content negotiation (406), authentication (401), method (405),
//! then the endpoint's work. `OPTIONS` is answered first, as a CORS preflight.

mod login;
mod logout;
mod whoami;

pub use login::login;
pub use logout::logout;
pub use whoami::whoami;

use bytes::Bytes;
use http::header::{ACCEPT, ALLOW, AUTHORIZATION, VARY};
use http::{HeaderValue, Method, Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;

use crate::Ctx;
use crate::auth;
use crate::header::{self, Credentials};
use crate::media;
use crate::response::{self, Failure};
use crate::store::Store;
use crate::token::TokenKey;

/// Largest login body parsed, in bytes: Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MiB).
/// Parsing is cheap next to argon2, and credentials that long are refused before any hashing
/// anyway; this bounds the memory and time one request can take.
pub const MAX_BODY_BYTES: usize = 2_621_440;

/// Answers a request on whichever endpoint its path names, with or without the trailing slash;
/// 404 for any other path. For the local server: in Lambda, API Gateway routes.
pub async fn route<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    let path = request.uri().path();
    match path.strip_suffix('/').unwrap_or(path) {
        "/api-token-auth" => login(ctx, request).await,
        "/api/whoami" => whoami(ctx, request).await,
        "/api/logout" => logout(ctx, request).await,
        _ => Failure::NotFound.into_response(),
    }
}

/// What an endpoint serves, for the checks every request goes through and the headers every
/// answer carries.
struct Endpoint {
    /// The view's name in the `OPTIONS` answer.
    name: &'static str,
    /// The one method served besides `OPTIONS`.
    method: Method,
    /// The `Allow` header, sent on every answer (DRF's `default_response_headers`).
    allow: &'static str,
    /// DRF's `@api_view` endpoints also have the browsable-API renderer: they accept
    /// `text/html` (answered with JSON here) and send `Vary: Accept`.
    browsable: bool,
    /// Body types listed in the `OPTIONS` answer.
    parses: &'static [&'static str],
}

/// The DRF metadata an `OPTIONS` request gets.
#[derive(Serialize)]
struct Metadata {
    name: &'static str,
    description: &'static str,
    renders: &'static [&'static str],
    parses: &'static [&'static str],
}

impl Endpoint {
    fn renders(&self) -> &'static [&'static str] {
        if self.browsable {
            &["application/json", "text/html"]
        } else {
            &["application/json"]
        }
    }

    /// 406 unless the `Accept` header admits one of the endpoint's renderers.
    fn negotiate(&self, request: &Request) -> Result<(), Failure> {
        let accept = joined_header(request, ACCEPT);
        let acceptable = self
            .renders()
            .iter()
            .any(|offered| media::accepts(accept.as_deref(), offered));
        if acceptable {
            Ok(())
        } else {
            Err(Failure::NotAcceptable)
        }
    }

    /// 405 unless the request uses the endpoint's method.
    fn check_method(&self, request: &Request) -> Result<(), Failure> {
        if request.method() == self.method {
            Ok(())
        } else {
            Err(Failure::MethodNotAllowed(request.method().clone()))
        }
    }

    /// The answer to a CORS preflight / DRF metadata request.
    fn options(&self) -> Response<Body> {
        response::json(
            StatusCode::OK,
            &Metadata {
                name: self.name,
                description: "",
                renders: self.renders(),
                parses: self.parses,
            },
        )
    }

    /// Turns the outcome into the response, with the headers every answer of this endpoint has.
    fn finish(&self, outcome: Result<Response<Body>, Failure>) -> Response<Body> {
        let mut response = outcome.unwrap_or_else(Failure::into_response);
        let headers = response.headers_mut();
        headers.insert(ALLOW, HeaderValue::from_static(self.allow));
        if self.browsable {
            headers.insert(VARY, HeaderValue::from_static("Accept"));
        }
        response
    }
}

/// The user and key that the request's `Authorization` header authenticates, or the 401.
async fn authenticate<S: Store>(
    ctx: &Ctx<S>,
    request: &Request,
) -> Result<(String, TokenKey), Failure> {
    let value = request
        .headers()
        .get(AUTHORIZATION)
        .map(HeaderValue::as_bytes);
    let Credentials::Key(key) = header::parse(value).map_err(Failure::BadHeader)? else {
        return Err(Failure::NotAuthenticated);
    };
    match auth::authenticate(&ctx.store, &key).await? {
        Some(username) => Ok((username, key)),
        None => Err(Failure::InvalidToken),
    }
}

/// All values of a header joined with ", " as HTTP allows, read byte for byte.
fn joined_header(request: &Request, name: http::header::HeaderName) -> Option<String> {
    let mut values = request.headers().get_all(name).iter().peekable();
    values.peek()?;
    Some(
        values
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// A request or response body as bytes, without copying.
pub fn body_bytes(body: Body) -> Bytes {
    match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        // `Body` is non-exhaustive upstream; any future variant still has bytes.
        #[allow(unreachable_patterns)]
        other => Bytes::copy_from_slice(other.as_ref()),
    }
}

/// `{"username": ...}`, the body of whoami (a name) and logout (`null`).
#[derive(Serialize)]
struct UsernameBody<'a> {
    username: Option<&'a str>,
}
