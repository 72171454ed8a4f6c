//! JSON responses, and the one place where a failure becomes a status code and a DRF error body.

use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, Method, Response, StatusCode};
use lambda_http::Body;
use serde::Serialize;

use crate::http::authenticate::Denied;
use crate::http::form::FormError;
use crate::http::header::{self, HeaderError};
use crate::logging::chain;
use crate::login::LoginError;
use crate::store::StoreError;

/// Seconds a client is asked to wait after a transient store failure.
const RETRY_AFTER_SECONDS: &str = "1";

/// The headers Django's `SecurityMiddleware` and `XFrameOptionsMiddleware` add by default to
/// every DRF answer: no MIME sniffing, no referrer to other origins, no shared browsing context
/// with opener windows, no framing.
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("x-frame-options", "DENY"),
];

/// A compact JSON response (`Content-Type: application/json`, no charset, as DRF sends), with
/// the [`SECURITY_HEADERS`]. Every answer of the crate with a body is built here.
pub fn json(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    // Serialising plain structs of strings cannot fail.
    let text = serde_json::to_string(body).unwrap_or_else(|_| String::from("{}"));
    let mut response = secured(status, Body::Text(text));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// An empty 204 (DRF's `Response(status=HTTP_204_NO_CONTENT)`: no `Content-Type`), with the
/// [`SECURITY_HEADERS`].
pub fn no_content() -> Response<Body> {
    secured(StatusCode::NO_CONTENT, Body::Empty)
}

/// A response of `status` with `body` and the [`SECURITY_HEADERS`].
fn secured(status: StatusCode, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// DRF's error shape `{"detail": message}`.
pub fn detail(status: StatusCode, message: &str) -> Response<Body> {
    #[derive(Serialize)]
    struct Detail<'a> {
        detail: &'a str,
    }
    json(status, &Detail { detail: message })
}

/// Every way a request can fail, each with its status and body in [`Failure::into_response`].
#[derive(Debug)]
pub enum Failure {
    /// 406: the `Accept` header admits none of the endpoint's renderers.
    NotAcceptable,
    /// 405: the endpoint does not serve this method.
    MethodNotAllowed(Method),
    /// 401: no token credentials on an endpoint that needs them.
    NotAuthenticated,
    /// 401: a malformed `Token` header.
    BadHeader(HeaderError),
    /// 401: a well-formed header with a key that authenticates nobody.
    InvalidToken,
    /// 400 or 415: the login body.
    Form(FormError),
    /// 400: the credentials do not identify an active user.
    InvalidCredentials,
    /// 403: the per-login policy's limit of tokens per user is reached (knox's answer).
    TokenLimit,
    /// 403: an activation link of a user who is active already (djoser's `stale_token`).
    StaleToken,
    /// 429: the username is locked by failed logins for this many more seconds (DRF's
    /// `Throttled`, with `Retry-After`).
    Throttled(u64),
    /// 503: the store is unavailable, or contention did not settle.
    Unavailable(Box<dyn std::error::Error + Send + Sync>),
    /// 500: anything else; the cause is logged, never sent.
    Internal(Box<dyn std::error::Error + Send + Sync>),
    /// 404 (local server only): no endpoint at this path.
    NotFound,
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Failure::Unavailable(Box::new(error)),
            StoreError::TableNotFound(_) | StoreError::Failed(_) => {
                Failure::Internal(Box::new(error))
            }
        }
    }
}

impl From<Denied> for Failure {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::NotAuthenticated => Failure::NotAuthenticated,
            Denied::BadHeader(error) => Failure::BadHeader(error),
            Denied::InvalidToken => Failure::InvalidToken,
            Denied::Store(error) => error.into(),
        }
    }
}

impl From<LoginError> for Failure {
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::InvalidCredentials => Failure::InvalidCredentials,
            LoginError::Contention => Failure::Unavailable(Box::new(error)),
            LoginError::Locked { retry_after } => Failure::Throttled(retry_after),
            LoginError::TokenLimit => Failure::TokenLimit,
            LoginError::Store(error) => error.into(),
            LoginError::Password(error) => Failure::Internal(Box::new(error)),
        }
    }
}

impl Failure {
    /// The response the client gets. Server-side causes are logged here, once, with their chain.
    pub fn into_response(self) -> Response<Body> {
        match self {
            Failure::NotAcceptable => detail(
                StatusCode::NOT_ACCEPTABLE,
                "Could not satisfy the request Accept header.",
            ),
            Failure::MethodNotAllowed(method) => detail(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("Method \"{method}\" not allowed."),
            ),
            Failure::NotAuthenticated => {
                unauthorized("Authentication credentials were not provided.")
            }
            Failure::BadHeader(error) => unauthorized(&error.to_string()),
            Failure::InvalidToken => unauthorized("Invalid token."),
            Failure::Form(error) => form_error(error),
            Failure::InvalidCredentials => json(
                StatusCode::BAD_REQUEST,
                &NonFieldErrors::new("Unable to log in with provided credentials."),
            ),
            Failure::TokenLimit => {
                #[derive(Serialize)]
                struct KnoxError {
                    error: &'static str,
                }
                json(
                    StatusCode::FORBIDDEN,
                    &KnoxError {
                        error: "Maximum amount of tokens allowed per user exceeded.",
                    },
                )
            }
            Failure::StaleToken => detail(StatusCode::FORBIDDEN, "Stale token for given user."),
            Failure::Throttled(seconds) => {
                let mut response = detail(
                    StatusCode::TOO_MANY_REQUESTS,
                    &crate::lockout::throttled_detail(seconds),
                );
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(seconds));
                response
            }
            Failure::Unavailable(cause) => {
                tracing::warn!(error = %chain(cause.as_ref()), "answering 503");
                let mut response = detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The service is temporarily unavailable, try again shortly.",
                );
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
                response
            }
            Failure::Internal(cause) => {
                tracing::error!(error = %chain(cause.as_ref()), "answering 500");
                detail(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "A server error occurred.",
                )
            }
            Failure::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
        }
    }
}

/// `{"non_field_errors": [message]}`.
#[derive(Serialize)]
struct NonFieldErrors {
    non_field_errors: [String; 1],
}

impl NonFieldErrors {
    fn new(message: impl Into<String>) -> Self {
        Self {
            non_field_errors: [message.into()],
        }
    }
}

fn form_error(error: FormError) -> Response<Body> {
    match error {
        FormError::TooLarge => detail(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "Request body is larger than {} bytes.",
                crate::http::form::MAX_BODY_BYTES
            ),
        ),
        FormError::UnsupportedMediaType(content_type) => detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("Unsupported media type \"{content_type}\" in request."),
        ),
        FormError::Malformed(message) => detail(StatusCode::BAD_REQUEST, &message),
        FormError::NonField(message) => {
            json(StatusCode::BAD_REQUEST, &NonFieldErrors::new(message))
        }
        FormError::Fields(errors) => json(StatusCode::BAD_REQUEST, &errors),
    }
}

fn unauthorized(message: &str) -> Response<Body> {
    let mut response = detail(StatusCode::UNAUTHORIZED, message);
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(header::KEYWORD));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(response: &Response<Body>) -> serde_json::Value {
        serde_json::from_slice(response.body().as_ref()).unwrap()
    }

    #[test]
    fn a_transient_store_failure_is_503_json_with_retry_after() {
        let failure: Failure = StoreError::Unavailable("throttled by table users".into()).into();
        let response = failure.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[RETRY_AFTER], "1");
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        assert!(!String::from_utf8_lossy(response.body().as_ref()).contains("users"));
        assert!(body(&response)["detail"].is_string());
    }

    #[test]
    fn a_permanent_store_failure_is_500_json_without_its_cause() {
        let failure: Failure =
            StoreError::Failed("ResourceNotFoundException: t-users".into()).into();
        let response = failure.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            body(&response),
            serde_json::json!({"detail": "A server error occurred."})
        );
        assert!(!response.headers().contains_key(RETRY_AFTER));
    }

    #[test]
    fn login_contention_is_transient() {
        let response = Failure::from(LoginError::Contention).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
