//! logout's work: deletes the presented token, whichever policy issued it. The body is never
//! read.

use http::{Response, StatusCode};
use lambda_http::Body;

use super::UsernameBody;
use crate::audit::Revocation;
use crate::ctx::Ctx;
use crate::http::response::{self, Failure};
use crate::store::Store;
use crate::tokens::Caller;
use crate::tokens::revoke;

/// Deletes the caller's token, then answers `{"username": null}`.
pub(super) async fn logout<S: Store>(
    ctx: &Ctx<S>,
    caller: &Caller,
) -> Result<Response<Body>, Failure> {
    if !revoke::revoke_presented(
        &ctx.store,
        ctx.settings.token_policy,
        &caller.username,
        &caller.key,
        Revocation::Logout,
    )
    .await?
    {
        // A concurrent logout (or a new login after an expiry) got there first.
        return Err(Failure::InvalidToken);
    }
    Ok(response::json(
        StatusCode::OK,
        &UsernameBody { username: None },
    ))
}
