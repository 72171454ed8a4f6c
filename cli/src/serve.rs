//! `authtoken serve`: the contract's endpoints over HTTP/1.1 on a local address, on the in-memory
//! store or (with `--dynamodb`) on the DynamoDB tables, through
//! [`authtoken::handlers::route`], with CORS headers so a front-end on another local port can
//! call it ([`crate::browsers`]). Ctrl-C (or SIGTERM) stops accepting, lets requests in flight
//! finish, and exits.
//!
//! A client gets [`HEADER_READ_TIMEOUT`] to send a request's headers (and an idle connection as
//! long before it is closed) and [`BODY_READ_TIMEOUT`] to send its body, so slow or silent
//! connections cannot pile up. Password hashing runs one per core at most
//! ([`authtoken::secrets::password::hashing_slots`]), whatever the number of logins waiting.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use authtoken::admin::{self, AdminError};
use authtoken::config::Settings;
use authtoken::delivery::local as worker;
use authtoken::http::form;
use authtoken::http::response::Failure;
use authtoken::mail::{Postman, Templates};
use authtoken::manifest::settings::SEAL_SECRET;
use authtoken::secrets::password::Password;
use authtoken::secrets::seal::Sealer;
use authtoken::store::Store;
use authtoken::store::memory::MemoryStore;
use authtoken::{Ctx, endpoint, handlers};
use bytes::Bytes;
use http::header::{ACCESS_CONTROL_REQUEST_METHOD, CONNECTION, HOST, ORIGIN};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::browsers::{Cors, OriginPattern, is_loopback_host};
use crate::connect::{TableArgs, connect_for_serving};
use crate::{Error, context, explain};

/// Options of `authtoken serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8000")]
    addr: SocketAddr,
    /// A user to create before serving (repeatable). For local use only: the password shows in
    /// the process list. With --dynamodb, an existing user is kept as it is
    #[arg(long = "user", value_name = "NAME:PASSWORD", value_parser = UserArg::parse)]
    users: Vec<UserArg>,
    /// An inactive user to create before serving (repeatable); it cannot log in
    #[arg(long = "inactive-user", value_name = "NAME:PASSWORD", value_parser = UserArg::parse)]
    inactive_users: Vec<UserArg>,
    /// Serve from the DynamoDB tables (AWS_ENDPOINT_URL_DYNAMODB for a local server) instead
    /// of memory
    #[arg(long)]
    dynamodb: bool,
    /// Another origin whose pages may call the server (repeatable): https://app.example.com,
    /// http://host:* for any port, or * for any. Pages on localhost, 127.0.0.1 and [::1] always may
    #[arg(long = "cors-origin", value_name = "ORIGIN", value_parser = OriginPattern::parse)]
    cors_origins: Vec<OriginPattern>,
    /// Another request header cross-origin pages may send (repeatable), besides Authorization and
    /// Content-Type
    #[arg(long = "cors-allow-header", value_name = "NAME")]
    cors_allowed_headers: Vec<String>,
    /// Most connections served at once; further clients wait in the listen queue until one
    /// closes (idle ones are closed after 10 s)
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65536))]
    max_connections: u32,
    /// Write each email (a password reset's link) as an .eml file in DIR, logging its path;
    /// without it or --mail-console no email is sent
    #[arg(long, value_name = "DIR", conflicts_with = "mail_console")]
    outbox: Option<PathBuf>,
    /// Print each email on standard output
    #[arg(long)]
    mail_console: bool,
    /// The email templates' folder (default: ./mail when it exists, else the built-in copies
    /// of the repository's mail/)
    #[arg(long, value_name = "DIR")]
    mail_templates: Option<PathBuf>,
    #[command(flatten)]
    tables: TableArgs,
}

/// `NAME:PASSWORD` from the command line.
#[derive(Clone, Debug)]
struct UserArg {
    name: String,
    password: Password,
}

impl UserArg {
    fn parse(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            Some((name, password)) if !name.is_empty() && !password.is_empty() => Ok(Self {
                name: name.to_owned(),
                password: Password::new(password),
            }),
            _ => Err("expected NAME:PASSWORD, both non-empty".to_owned()),
        }
    }
}

/// How long requests in flight may take to finish after a stop signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client has to send a request's headers, or an idle connection stays open.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client has to send a request's body once its headers are in.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// What every request is answered with: the handlers' context and the browser policy.
struct Server<S> {
    ctx: Arc<Ctx<S>>,
    cors: Cors,
    /// Listening on a loopback address: answer only loopback `Host` names.
    loopback: bool,
}

/// Serves on the store the options choose, after creating the users they give.
pub async fn run(args: ServeArgs) -> Result<(), Error> {
    let settings = Settings::from_env()?;
    if args.dynamodb {
        let mut store = connect_for_serving(&args.tables).await?;
        if !store.sealer().is_configured() {
            eprintln!(
                "No seal secret (--seal-secret or {}): per-user keys are sealed \
                 with a key of this process only; after a restart, a user's next login gets a \
                 new key.",
                SEAL_SECRET.var
            );
            store = store.with_sealer(Sealer::ephemeral());
        }
        let tables = store.tables().clone();
        let description = format!(
            "DynamoDB store: tables {:?} and {:?}",
            tables.users, tables.tokens
        );
        let ctx = Ctx::new(store, settings);
        seed(&ctx.store, &args, true)
            .await
            .map_err(|error| explain(error, &tables))?;
        listen(args, ctx, &description).await
    } else {
        let ctx = Ctx::new(MemoryStore::new(), settings);
        seed(&ctx.store, &args, false).await?;
        let description = "in-memory store: users and tokens are lost when this process exits";
        listen(args, ctx, description).await
    }
}

/// `ctx` in an `Arc`, with the mail worker `--outbox` or `--mail-console` asks for (links to
/// this server's `addr` unless `DOMAIN` says otherwise); without either, mail requests are
/// dropped, which is said once here.
fn with_mailer<S: Store + 'static>(
    args: &ServeArgs,
    ctx: Ctx<S>,
    addr: SocketAddr,
) -> Result<Arc<Ctx<S>>, Error> {
    let postman = match (&args.outbox, args.mail_console) {
        (Some(dir), _) => {
            std::fs::create_dir_all(dir).map_err(|error| {
                context(format!("cannot make the outbox {}", dir.display()), error)
            })?;
            eprintln!("authtoken: emails are written to {}", dir.display());
            Postman::Outbox(dir.clone())
        }
        (None, true) => {
            eprintln!("authtoken: emails are printed on standard output");
            Postman::Console
        }
        (None, false) => {
            eprintln!(
                "authtoken: no email is sent (--outbox DIR or --mail-console to see password \
                 reset links)"
            );
            return Ok(Arc::new(ctx));
        }
    };
    let templates = match &args.mail_templates {
        Some(dir) => Templates::from_dir(dir)?,
        None if Path::new("mail").is_dir() => Templates::from_dir(Path::new("mail"))?,
        None => Templates::builtin(),
    };
    let (mailbox, requests) = worker::channel();
    let mut ctx = ctx.with_mailbox(mailbox);
    ctx.settings.mail = ctx
        .settings
        .mail
        .clone()
        .with_local_defaults(&addr.to_string());
    let ctx = Arc::new(ctx);
    worker::spawn(Arc::downgrade(&ctx), requests, templates, postman);
    Ok(ctx)
}

/// Creates the users given on the command line. With `keep_existing`, a user that already
/// exists is left as it is (a DynamoDB table outlives the server).
async fn seed(store: &impl Store, args: &ServeArgs, keep_existing: bool) -> Result<(), AdminError> {
    let active = args.users.iter().map(|user| (user, true));
    let inactive = args.inactive_users.iter().map(|user| (user, false));
    for (user, active) in active.chain(inactive) {
        match admin::create_user(store, &user.name, user.password.clone(), active).await {
            Err(AdminError::Exists(name)) if keep_existing => {
                eprintln!(
                    "authtoken: user {name:?} exists already; kept as it is (password unchanged)"
                );
            }
            outcome => {
                outcome?;
            }
        }
    }
    Ok(())
}

async fn listen<S: Store + 'static>(
    args: ServeArgs,
    ctx: Ctx<S>,
    store: &str,
) -> Result<(), Error> {
    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|error| context(format!("cannot listen on {}", args.addr), error))?;
    let addr = listener.local_addr()?;
    let cors = Cors::new(&args.cors_origins, &args.cors_allowed_headers)?;
    eprintln!("authtoken: {store}");
    let endpoints: Vec<String> = endpoint::ALL
        .iter()
        .map(|endpoint| endpoint.requests())
        .collect();
    eprintln!(
        "authtoken: {} user(s) given; serving {}",
        args.users.len() + args.inactive_users.len(),
        endpoints.join(", ")
    );
    eprintln!("authtoken: pages may call it from {}", cors.describe());
    if !addr.ip().is_loopback() {
        eprintln!(
            "authtoken: warning: listening on {addr}, beyond this machine: any host that reaches \
             it can log in; use 127.0.0.1 unless you mean that"
        );
    }
    let ctx = with_mailer(&args, ctx, addr)?;
    eprintln!("authtoken: listening on http://{addr} (Ctrl-C to stop)");
    let server = Server {
        ctx,
        cors,
        loopback: addr.ip().is_loopback(),
    };
    serve(listener, Arc::new(server), args.max_connections as usize).await;
    eprintln!("authtoken: stopped");
    Ok(())
}

/// Serves connections from `listener`, at most `max_connections` at once: a connection is
/// accepted only once a place is free, so that a flood of clients cannot exhaust memory or file
/// descriptors (the kernel's listen queue holds the others).
async fn serve<S: Store + 'static>(
    listener: TcpListener,
    server: Arc<Server<S>>,
    max_connections: usize,
) {
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop_signal());
    let places = Arc::new(Semaphore::new(max_connections));
    loop {
        let place = tokio::select! {
            place = Arc::clone(&places).acquire_owned() => match place {
                Ok(place) => place,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let server = Arc::clone(&server);
        let source = peer.ip().to_string();
        let service = hyper::service::service_fn(move |request| {
            let server = Arc::clone(&server);
            let source = source.clone();
            async move { Ok::<_, Infallible>(answer(&server, request, source).await) }
        });
        let connection = graceful.watch(
            http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service),
        );
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(place);
        });
    }
    drop(listener);
    eprintln!("authtoken: stopping: finishing requests in flight");
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after {DRAIN_TIMEOUT:?}; stopping anyway");
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// One HTTP request through the shared handlers, with the browser policy's headers.
async fn answer<S: Store>(
    server: &Server<S>,
    request: Request<Incoming>,
    source: String,
) -> Response<Full<Bytes>> {
    let origin = request.headers().get(ORIGIN).cloned();
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    let response = if server.loopback && !names_loopback(request.headers().get(HOST)) {
        authtoken::http::response::detail(
            StatusCode::BAD_REQUEST,
            "Invalid Host header: this server answers only localhost, 127.0.0.1 and [::1].",
        )
    } else {
        through_handlers(&server.ctx, request, source).await
    };
    let (mut parts, body) = response.into_parts();
    if let Some(origin) = &origin {
        server
            .cors
            .add_headers(&mut parts.headers, origin, preflight);
    }
    Response::from_parts(parts, Full::new(handlers::body_bytes(body)))
}

/// Whether a `Host` header (if any: HTTP/1.0 clients may omit it) names the loopback interface.
fn names_loopback(host: Option<&HeaderValue>) -> bool {
    host.is_none_or(|host| host.to_str().is_ok_and(is_loopback_host))
}

/// Reads the body (within [`BODY_READ_TIMEOUT`] and the handlers' size limit) and routes the
/// request, with the client's address where API Gateway puts it (`source`: the peer's IP).
async fn through_handlers<S: Store>(
    ctx: &Ctx<S>,
    request: Request<Incoming>,
    source: String,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    // One byte more than the handlers accept, so that they see the excess and answer 413.
    let limited = Limited::new(body, form::MAX_BODY_BYTES + 1).collect();
    match tokio::time::timeout(BODY_READ_TIMEOUT, limited).await {
        Ok(Ok(collected)) => {
            let bytes = collected.to_bytes();
            let body = if bytes.is_empty() {
                Body::Empty
            } else {
                Body::Binary(bytes.to_vec())
            };
            let mut context = ApiGatewayV2httpRequestContext::default();
            context.http.source_ip = Some(source);
            let request = Request::from_parts(parts, body)
                .with_request_context(RequestContext::ApiGatewayV2(context));
            handlers::route(ctx, request).await
        }
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
            Failure::Form(form::FormError::TooLarge).into_response()
        }
        Ok(Err(error)) => {
            tracing::debug!(%error, "could not read a request body");
            authtoken::http::response::detail(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            )
        }
        Err(_) => {
            let mut response = authtoken::http::response::detail(
                StatusCode::REQUEST_TIMEOUT,
                "The request body was not received in time.",
            );
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}
