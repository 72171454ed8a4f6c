//! A guard for a team's own `lambda_http` functions: only requests with a valid token reach the
//! handler, which is told whose token it was.
//!
//! ```no_run
//! use authtoken::guard::{Caller, guard};
//! use lambda_http::{Body, Error, Request, Response};
//!
//! async fn orders(_request: Request, caller: Caller) -> Result<Response<Body>, Error> {
//!     Ok(Response::new(Body::from(format!("orders of {}", caller.username))))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     let ctx = &authtoken::lambda::init()?;
//!     lambda_http::run(guard(ctx, orders)).await
//! }
//! ```
//!
//! A request the guard refuses gets the contract's own answers (docs/API.md), exactly as whoami
//! gives them: 401 `Authentication credentials were not provided.`, the three `Invalid token
//! header. ...` messages or `Invalid token.`, each with `WWW-Authenticate: Token`; a store that
//! cannot answer gives 503 with `Retry-After`, never a 401 (a fault must not look like a bad
//! token) and never the handler. Authentication is one strongly consistent read of the key's
//! digest; a malformed header or key costs none.

use std::future::Future;

use http::Response;
use lambda_http::{Body, IntoResponse, Request, Service, service_fn};

use crate::ctx::Ctx;
use crate::handlers;
use crate::http::authenticate::authenticate_header;
use crate::http::response::Failure;
use crate::store::Store;
use crate::tokens;
pub use crate::tokens::Caller;

/// `handler`, reached only by requests whose `Authorization: Token <key>` header authenticates a
/// user, with that user as its [`Caller`]; every other request gets the contract's answer.
/// The result is a `lambda_http` service: `lambda_http::run(guard(ctx, handler))`.
pub fn guard<'a, S, H, Fut, R, E>(
    ctx: &'a Ctx<S>,
    handler: H,
) -> impl Service<
    Request,
    Response = Response<Body>,
    Error = E,
    Future = impl Future<Output = Result<Response<Body>, E>> + Send + 'a,
> + 'a
where
    S: Store,
    H: Fn(Request, Caller) -> Fut + Clone + Send + 'a,
    Fut: Future<Output = Result<R, E>> + Send + 'a,
    R: IntoResponse,
    E: Send + 'a,
{
    service_fn(move |request: Request| {
        let handler = handler.clone();
        async move {
            match authenticate_header(&ctx.store, &ctx.settings, handlers::authorization(&request))
                .await
            {
                Ok(caller) => {
                    tokens::renew(&ctx.store, &ctx.settings, &caller).await;
                    // Into the response's future first: R need not be Send, the future is.
                    let answer = handler(request, caller).await?.into_response();
                    Ok(answer.await)
                }
                Err(denied) => Ok(Failure::from(denied).into_response()),
            }
        }
    })
}
