//! Every token of the caller deleted, under either policy: knox's logout-all (`LogoutAllView`,
//! answered as logout is) and djoser's token logout (`TokenDestroyView`, 204). The body is
//! never read.

use http::{Response, StatusCode};
use lambda_http::Body;

use super::UsernameBody;
use crate::audit::Revocation;
use crate::ctx::Ctx;
use crate::http::response::{self, Failure};
use crate::store::Store;
use crate::tokens::Caller;
use crate::tokens::revoke;

/// Deletes every token of the caller, then answers `{"username": null}`.
pub(super) async fn logoutall<S: Store>(
    ctx: &Ctx<S>,
    caller: &Caller,
) -> Result<Response<Body>, Failure> {
    revoke_every_token(ctx, caller, Revocation::LogoutAll).await?;
    Ok(response::json(
        StatusCode::OK,
        &UsernameBody { username: None },
    ))
}

/// Deletes every token of the caller, then answers 204.
pub(super) async fn destroy_tokens<S: Store>(
    ctx: &Ctx<S>,
    caller: &Caller,
) -> Result<Response<Body>, Failure> {
    revoke_every_token(ctx, caller, Revocation::TokenLogout).await?;
    Ok(response::no_content())
}

/// Deletes every token of the caller. Done only once none is left: a store failure or endless
/// concurrent logins answer 503 instead, and the client may retry.
async fn revoke_every_token<S: Store>(
    ctx: &Ctx<S>,
    caller: &Caller,
    by: Revocation,
) -> Result<(), Failure> {
    match revoke::revoke_all(&ctx.store, &caller.username, by).await? {
        Some(_) => Ok(()),
        None => Err(Failure::Unavailable(Box::new(KeptLoggingIn))),
    }
}

/// Logins of the user kept adding tokens while they were all being deleted.
#[derive(Debug, thiserror::Error)]
#[error("logins kept adding tokens while every token of the user was being deleted")]
struct KeptLoggingIn;
