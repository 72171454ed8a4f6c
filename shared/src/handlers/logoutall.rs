//! logout-all's work (knox's `LogoutAllView`): deletes every token of the caller, under either
//! policy, and answers as logout does. The body is never read.

use http::{Response, StatusCode};
use lambda_http::Body;

use super::UsernameBody;
use crate::audit::Revocation;
use crate::ctx::Ctx;
use crate::http::response::{self, Failure};
use crate::store::Store;
use crate::tokens::Caller;
use crate::tokens::revoke;

/// Deletes every token of the caller, then answers `{"username": null}`. Answered only once
/// none is left: a store failure or endless concurrent logins answer 503 instead, and the
/// client may retry.
pub(super) async fn logoutall<S: Store>(
    ctx: &Ctx<S>,
    caller: &Caller,
) -> Result<Response<Body>, Failure> {
    match revoke::revoke_all(&ctx.store, &caller.username, Revocation::LogoutAll).await? {
        Some(_) => Ok(response::json(
            StatusCode::OK,
            &UsernameBody { username: None },
        )),
        None => Err(Failure::Unavailable(Box::new(KeptLoggingIn))),
    }
}

/// Logins of the user kept adding tokens while logout-all deleted them.
#[derive(Debug, thiserror::Error)]
#[error("logins kept adding tokens during logout-all")]
struct KeptLoggingIn;
