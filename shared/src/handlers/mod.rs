//! The endpoints as one pipeline from a request to a response. It knows nothing of Lambda or of
//! the local server: both call it as it is.
//!
//! Every request goes through the same steps, in DRF's order: `OPTIONS` is answered first (a
//! CORS preflight), then content negotiation (406), authentication where the endpoint needs a
//! caller (401), the method check (405), and only then the endpoint's own work. Every answer
//! then gets the endpoint's headers (`Allow`, `Vary`, `Cache-Control`).

mod activation;
mod current_password;
mod emailed_link;
mod login;
mod logout;
mod logoutall;
mod me;
mod register;
mod reset_password;
mod sessions;
mod set_password;
mod set_username;
mod token_login;
mod username_field;
mod whoami;

use bytes::Bytes;
use http::header::{ACCEPT, ALLOW, AUTHORIZATION, CACHE_CONTROL, VARY};
use http::{HeaderValue, Method, Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;
use tracing::Instrument;

use crate::config::Settings;
use crate::ctx::Ctx;
use crate::endpoint::{self, CallerWork, Endpoint, Work};
use crate::http::response::{self, Failure};
use crate::http::{authenticate, media, request};
use crate::store::Store;
use crate::tokens::{self, Caller};

/// Answers a login request ([`crate::endpoint::LOGIN`]).
pub async fn login<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(ctx, &endpoint::LOGIN, request, async |request, _| {
        login::obtain_token(ctx, request).await
    })
    .await
}

/// Answers a whoami request ([`crate::endpoint::WHOAMI`]).
pub async fn whoami<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(ctx, &endpoint::WHOAMI, request, async |_, caller| {
        let caller = caller.ok_or(Failure::NotAuthenticated)?;
        tokens::renew(&ctx.store, &ctx.settings, &caller).await;
        Ok(whoami::whoami(&caller))
    })
    .await
}

/// Answers a logout request ([`crate::endpoint::LOGOUT`]).
pub async fn logout<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(ctx, &endpoint::LOGOUT, request, async |_, caller| {
        logout::logout(ctx, &caller.ok_or(Failure::NotAuthenticated)?).await
    })
    .await
}

/// Answers a logout-all request ([`crate::endpoint::LOGOUT_ALL`]).
pub async fn logoutall<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(ctx, &endpoint::LOGOUT_ALL, request, async |_, caller| {
        logoutall::logoutall(ctx, &caller.ok_or(Failure::NotAuthenticated)?).await
    })
    .await
}

/// Answers a djoser token login request ([`crate::endpoint::TOKEN_LOGIN`]).
pub async fn tokenlogin<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(ctx, &endpoint::TOKEN_LOGIN, request, async |request, _| {
        token_login::create_token(ctx, request).await
    })
    .await
}

/// Answers a djoser token logout request ([`crate::endpoint::TOKEN_LOGOUT`]).
pub async fn tokenlogout<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(ctx, &endpoint::TOKEN_LOGOUT, request, async |_, caller| {
        logoutall::destroy_tokens(ctx, &caller.ok_or(Failure::NotAuthenticated)?).await
    })
    .await
}

/// Answers a password change request ([`crate::endpoint::SET_PASSWORD`]).
pub async fn setpassword<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(
        ctx,
        &endpoint::SET_PASSWORD,
        request,
        async |request, caller| {
            set_password::set_password(ctx, request, &caller.ok_or(Failure::NotAuthenticated)?)
                .await
        },
    )
    .await
}

/// Answers a rename request ([`crate::endpoint::SET_USERNAME`]).
pub async fn setusername<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(
        ctx,
        &endpoint::SET_USERNAME,
        request,
        async |request, caller| {
            set_username::set_username(ctx, request, &caller.ok_or(Failure::NotAuthenticated)?)
                .await
        },
    )
    .await
}

/// Answers a request for the caller's sessions ([`crate::endpoint::SESSIONS`]).
pub async fn sessions<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(ctx, &endpoint::SESSIONS, request, async |_, caller| {
        sessions::list(ctx, &caller.ok_or(Failure::NotAuthenticated)?).await
    })
    .await
}

/// Answers a request to end one of the caller's sessions ([`crate::endpoint::END_SESSION`]).
pub async fn endsession<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(
        ctx,
        &endpoint::END_SESSION,
        request,
        async |request, caller| {
            sessions::end(ctx, &request, &caller.ok_or(Failure::NotAuthenticated)?).await
        },
    )
    .await
}

/// Answers a request for the caller's account ([`crate::endpoint::ME`]).
pub async fn me<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(ctx, &endpoint::ME, request, async |request, caller| {
        me::me(ctx, request, &caller.ok_or(Failure::NotAuthenticated)?).await
    })
    .await
}

/// Answers a registration request ([`crate::endpoint::REGISTER`]); while `REGISTRATION` is
/// closed, the 404 of a path that does not exist, whatever the request.
pub async fn register<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(ctx, &endpoint::REGISTER, request, async |request, _| {
        register::register(ctx, request).await
    })
    .await
}

/// Answers a request for `endpoint` with its handler. A Lambda function calls its handler
/// directly instead, so that its binary holds only its own endpoint's work.
pub async fn handle<S: Store>(
    ctx: &Ctx<S>,
    endpoint: &Endpoint,
    request: Request,
) -> Response<Body> {
    match endpoint.work {
        Work::ObtainToken => login(ctx, request).await,
        Work::CreateToken => tokenlogin(ctx, request).await,
        Work::Register => register(ctx, request).await,
        Work::ResetPassword => resetpassword(ctx, request).await,
        Work::ResetPasswordConfirm => resetconfirm(ctx, request).await,
        Work::Activate => activation(ctx, request).await,
        Work::ResendActivation => resendactivation(ctx, request).await,
        Work::ForCaller(CallerWork::Whoami) => whoami(ctx, request).await,
        Work::ForCaller(CallerWork::Logout) => logout(ctx, request).await,
        Work::ForCaller(CallerWork::LogoutAll) => logoutall(ctx, request).await,
        Work::ForCaller(CallerWork::DestroyTokens) => tokenlogout(ctx, request).await,
        Work::ForCaller(CallerWork::SetPassword) => setpassword(ctx, request).await,
        Work::ForCaller(CallerWork::Me) => me(ctx, request).await,
        Work::ForCaller(CallerWork::SetUsername) => setusername(ctx, request).await,
        Work::ForCaller(CallerWork::Sessions) => sessions(ctx, request).await,
        Work::ForCaller(CallerWork::EndSession) => endsession(ctx, request).await,
    }
}

/// Answers a password reset request ([`crate::endpoint::RESET_PASSWORD`]): the request queued,
/// 204 whoever has the address.
pub async fn resetpassword<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(
        ctx,
        &endpoint::RESET_PASSWORD,
        request,
        async |request, _| reset_password::request_reset(ctx, request).await,
    )
    .await
}

/// Answers a reset link's new password ([`crate::endpoint::RESET_PASSWORD_CONFIRM`]).
pub async fn resetconfirm<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(
        ctx,
        &endpoint::RESET_PASSWORD_CONFIRM,
        request,
        async |request, _| reset_password::confirm_reset(ctx, request).await,
    )
    .await
}

/// Answers an activation link's `uid` and `token` ([`crate::endpoint::ACTIVATION`]); without
/// `SEND_ACTIVATION_EMAIL`, the 404 of a path that does not exist.
pub async fn activation<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(ctx, &endpoint::ACTIVATION, request, async |request, _| {
        activation::activate(ctx, request).await
    })
    .await
}

/// Answers a request for a new activation link ([`crate::endpoint::RESEND_ACTIVATION`]): the
/// request queued, 204 whoever has the address; without `SEND_ACTIVATION_EMAIL`, the 404 of a
/// path that does not exist.
pub async fn resendactivation<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    answer(
        ctx,
        &endpoint::RESEND_ACTIVATION,
        request,
        async |request, _| activation::resend(ctx, request).await,
    )
    .await
}

/// Answers a request on whichever endpoint its path names, with or without the trailing slash;
/// 404 for any other path. For the local server: in Lambda, API Gateway routes.
pub async fn route<S: Store>(ctx: &Ctx<S>, request: Request) -> Response<Body> {
    match Endpoint::for_path(request.uri().path()) {
        Some(endpoint) => handle(ctx, endpoint, request).await,
        None => Failure::NotFound.into_response(),
    }
}

/// Answers a request for `endpoint` with `work` ([`pipeline`], then [`finish`]); while the
/// settings do not serve the endpoint ([`is_served`]), the 404 of a path that does not
/// exist, whatever the request.
async fn answer<S: Store>(
    ctx: &Ctx<S>,
    endpoint: &Endpoint,
    request: Request,
    work: impl AsyncFnOnce(Request, Option<Caller>) -> Result<Response<Body>, Failure>,
) -> Response<Body> {
    if !is_served(endpoint, &ctx.settings) {
        return Failure::NotFound.into_response();
    }
    let outcome = pipeline(ctx, endpoint, request, work).await;
    finish(endpoint, outcome)
}

/// Whether `settings` serve `endpoint`: registration only while `REGISTRATION` is open, the
/// activation's only under `SEND_ACTIVATION_EMAIL` (the stack deploys their functions only then;
/// elsewhere a request gets the 404 of a path that does not exist).
fn is_served(endpoint: &Endpoint, settings: &Settings) -> bool {
    match endpoint.work {
        Work::Register => settings.accounts.registration_open,
        Work::Activate | Work::ResendActivation => settings.mail.send_activation,
        _ => true,
    }
}

/// The steps every request goes through, up to `work`, which gets the request and, on an
/// endpoint whose work is for a caller, the authenticated caller (`None` elsewhere). The
/// handlers then add the endpoint's headers ([`finish`]) to whatever the outcome is.
async fn pipeline<S: Store>(
    ctx: &Ctx<S>,
    endpoint: &Endpoint,
    request: Request,
    work: impl AsyncFnOnce(Request, Option<Caller>) -> Result<Response<Body>, Failure>,
) -> Result<Response<Body>, Failure> {
    if request.method() == Method::OPTIONS {
        return Ok(options(endpoint));
    }
    negotiate(endpoint, &request)?;
    let caller = if endpoint.work.needs_caller() {
        Some(
            authenticate::authenticate_header(&ctx.store, &ctx.settings, authorization(&request))
                .await?,
        )
    } else {
        None
    };
    check_method(endpoint, &request)?;
    // Audit events of the work carry the client's address and API Gateway's request id.
    let span = request::span(&request);
    work(request, caller).instrument(span).await
}

/// The raw bytes of the request's `Authorization` header, for [`authenticate::authenticate_header`]:
/// read here for the pipeline and for [`crate::guard`].
pub(crate) fn authorization(request: &Request) -> Option<&[u8]> {
    request
        .headers()
        .get(AUTHORIZATION)
        .map(HeaderValue::as_bytes)
}

/// 406 unless the `Accept` header admits one of the endpoint's renderers.
fn negotiate(endpoint: &Endpoint, request: &Request) -> Result<(), Failure> {
    let accept = joined_header(request, ACCEPT);
    let acceptable = endpoint
        .renders()
        .iter()
        .any(|offered| media::accepts(accept.as_deref(), offered));
    if acceptable {
        Ok(())
    } else {
        Err(Failure::NotAcceptable)
    }
}

/// 405 unless the request uses one of the endpoint's methods.
fn check_method(endpoint: &Endpoint, request: &Request) -> Result<(), Failure> {
    if endpoint.serves_method(request.method()) {
        Ok(())
    } else {
        Err(Failure::MethodNotAllowed(request.method().clone()))
    }
}

/// The DRF metadata an `OPTIONS` request gets.
#[derive(Serialize)]
struct Metadata {
    name: &'static str,
    description: &'static str,
    renders: &'static [&'static str],
    parses: &'static [&'static str],
}

/// The answer to a CORS preflight / DRF metadata request.
fn options(endpoint: &Endpoint) -> Response<Body> {
    response::json(
        StatusCode::OK,
        &Metadata {
            name: endpoint.view_name,
            description: endpoint.description,
            renders: endpoint.renders(),
            parses: endpoint.parses,
        },
    )
}

/// Turns the outcome into the response, with the headers every answer of the endpoint has.
fn finish(endpoint: &Endpoint, outcome: Result<Response<Body>, Failure>) -> Response<Body> {
    let mut response = outcome.unwrap_or_else(Failure::into_response);
    let headers = response.headers_mut();
    if let Ok(allow) = HeaderValue::from_str(&endpoint.allow()) {
        headers.insert(ALLOW, allow);
    }
    if endpoint.browsable {
        headers.insert(VARY, HeaderValue::from_static("Accept"));
    }
    if endpoint.no_store {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// What the work of an endpoint that reads its body takes from the request.
struct Submission {
    /// The raw `Content-Type` header, if any.
    content_type: Option<Vec<u8>>,
    /// The client's address, for the lockout's count per source.
    source: Option<String>,
    /// The body.
    body: Bytes,
}

impl Submission {
    /// The fields `names` of the body, read by `endpoint`'s parsers; the 400, 413 or 415 of a
    /// body that cannot be read.
    async fn read(
        &self,
        endpoint: &Endpoint,
        names: &[&'static str],
    ) -> Result<crate::http::form::Fields, Failure> {
        crate::http::form::read(
            endpoint.parses,
            self.content_type.as_deref(),
            self.body.clone(),
            names,
        )
        .await
        .map_err(Failure::Form)
    }

    /// Takes the request apart.
    fn of(request: Request) -> Self {
        let content_type = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .map(|value| value.as_bytes().to_vec());
        let source = request::source_ip(&request).map(str::to_owned);
        Self {
            content_type,
            source,
            body: body_bytes(request.into_body()),
        }
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

/// The caller's username, for whoami.
impl<'a> From<&'a Caller> for UsernameBody<'a> {
    fn from(caller: &'a Caller) -> Self {
        Self {
            username: Some(&caller.username),
        }
    }
}
