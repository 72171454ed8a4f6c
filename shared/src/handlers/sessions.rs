//! The caller's tokens as sessions: `GET /auth/tokens/` lists them (the first characters of
//! each digest, when it was issued and expires, and which one the caller presented; never a
//! key), `DELETE /auth/tokens/{prefix}/` ends the one whose digest starts with the prefix.

use http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;

use crate::accounts::sessions::{self, Ending};
use crate::clock;
use crate::ctx::Ctx;
use crate::endpoint::END_SESSION;
use crate::http::response::{self, Failure};
use crate::store::{Store, is_live};
use crate::tokens::Caller;

/// One session, as listed.
#[derive(Serialize)]
struct Session {
    /// The first characters of the key's digest: what ends it.
    digest: String,
    /// When it was issued (RFC 3339, UTC).
    created: String,
    /// When it expires (RFC 3339, UTC), `null` for never.
    expiry: Option<String>,
    /// Whether it is the token the request presented.
    current: bool,
}

/// The caller's live tokens, oldest first.
pub(super) async fn list<S: Store>(
    ctx: &Ctx<S>,
    caller: &Caller,
) -> Result<Response<Body>, Failure> {
    let user = ctx
        .store
        .user(&caller.username)
        .await?
        .ok_or(Failure::InvalidToken)?;
    let now = clock::now();
    let presented = caller.key.digest();
    let listed: Vec<Session> = sessions::list(&ctx.store, &user)
        .await?
        .into_iter()
        .filter(|token| is_live(token.expires, now))
        .map(|token| Session {
            current: token.digest == presented,
            created: clock::rfc3339(token.created),
            expiry: token.expires.map(clock::rfc3339),
            digest: token.digest_prefix,
        })
        .collect();
    Ok(response::json(StatusCode::OK, &listed))
}

/// Ends the caller's token named by the path; 404 unless exactly one of theirs has a digest
/// starting with it.
pub(super) async fn end<S: Store>(
    ctx: &Ctx<S>,
    request: &Request,
    caller: &Caller,
) -> Result<Response<Body>, Failure> {
    let prefix = END_SESSION
        .parameter_in(request.uri().path())
        .filter(|prefix| prefix.bytes().all(|byte| byte.is_ascii_hexdigit()))
        .ok_or(Failure::NotFound)?;
    match sessions::end(&ctx.store, &caller.username, prefix).await? {
        Ending::Ended => Ok(response::no_content()),
        Ending::NotFound => Err(Failure::NotFound),
        Ending::Contention => Err(Failure::Unavailable("the user kept changing".into())),
    }
}
