//! An API Gateway HTTP API Lambda authorizer over the tokens, and how a function behind it
//! learns whom it let in.
//!
//! The authorizer is of the REQUEST type, with payload format 2.0 and simple responses. It
//! applies whoami's rules to the request's `Authorization` header ([`authenticate_header`]):
//! `Token <key>` with DRF's parsing, then one strongly consistent read of the key's digest,
//! expiry honoured; a missing or malformed header or key is denied without a read. An allowed
//! request reaches its route with the username in the authorizer context, where a function reads
//! it as `requestContext.authorizer.lambda.username` ([`authorized_username`] in Rust).
//!
//! A store that cannot answer is neither an allow nor a deny: [`authorize`] returns the error and
//! the function reports it to Lambda ([`fault`]), so API Gateway answers that request 500 and
//! caches nothing. A deny would tell the client its token is bad (403), when it is not.

use aws_lambda_events::apigw::{
    ApiGatewayV2CustomAuthorizerSimpleResponse, ApiGatewayV2CustomAuthorizerV2Request,
};
use http::header::AUTHORIZATION;
use lambda_http::{Request, RequestExt};
use lambda_runtime::Diagnostic;
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::http::authenticate::{Denied, authenticate_header};
use crate::logging::chain;
use crate::store::{Store, StoreError};
use crate::tokens::renew;

/// The authorizer's event: API Gateway's payload format 2.0 authorizer request.
pub type AuthorizerRequest = ApiGatewayV2CustomAuthorizerV2Request;

/// The authorizer's answer: a simple response, `{"isAuthorized": ..., "context": {...}}`.
pub type Decision = ApiGatewayV2CustomAuthorizerSimpleResponse<Grant>;

/// The authorizer context of an allowed request: `{"username": "..."}`; empty on a deny.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The user whose token the request presented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// The name under which the authorizer context carries the username.
pub const USERNAME_KEY: &str = "username";

/// Decides one authorization: allowed with the token's username (its expiry renewed under
/// sliding expiry), or denied (no header, another
/// scheme, a malformed header or key, an unknown, expired or logged-out key). `Err` when the
/// store could not answer: report it with [`fault`], never as a deny.
pub async fn authorize(
    store: &impl Store,
    settings: &Settings,
    request: &AuthorizerRequest,
) -> Result<Decision, StoreError> {
    let header = request
        .headers
        .get(AUTHORIZATION)
        .map(http::HeaderValue::as_bytes);
    let route = request.route_key.as_deref().unwrap_or("-");
    let source_ip = request
        .request_context
        .http
        .source_ip
        .as_deref()
        .unwrap_or("-");
    let mut decision = Decision::default();
    match authenticate_header(store, settings, header).await {
        Ok(caller) => {
            renew(store, settings, &caller).await;
            tracing::debug!(username = caller.username, route, "allowed");
            decision.is_authorized = true;
            decision.context.username = Some(caller.username);
        }
        Err(Denied::Store(error)) => return Err(error),
        Err(denied) => {
            tracing::info!(reason = denied_reason(&denied), route, source_ip, "denied");
        }
    }
    Ok(decision)
}

/// A word for the log saying why a request was denied; never the header itself.
fn denied_reason(denied: &Denied) -> &'static str {
    match denied {
        Denied::NotAuthenticated => "no token credentials",
        Denied::BadHeader(_) => "malformed token header",
        Denied::InvalidToken => "unknown or expired token",
        Denied::Store(_) => "store fault",
    }
}

/// What the function reports to Lambda when the store could not answer, so that API Gateway
/// answers 500 rather than allowing or denying. The cause is logged here, with its chain; the
/// report names only the kind of failure.
pub fn fault(error: StoreError) -> Diagnostic {
    tracing::error!(error = %chain(&error), "the store could not answer: no decision, API Gateway answers 500");
    Diagnostic {
        error_type: "StoreError".to_owned(),
        error_message: error.to_string(),
    }
}

/// The username the authorizer put in the request's context, for a function on a route behind
/// it; `None` if the request did not come through the authorizer (a route without it).
pub fn authorized_username(request: &Request) -> Option<&str> {
    request
        .request_context_ref()?
        .authorizer()?
        .fields
        .get(USERNAME_KEY)?
        .as_str()
}
