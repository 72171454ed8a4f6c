//! Logging setup for the functions and the command line.
//!
//! The same as `lambda_http::tracing::init_default_subscriber` (level from `AWS_LAMBDA_LOG_LEVEL`,
//! else `RUST_LOG`; JSON when `AWS_LAMBDA_LOG_FORMAT=JSON`), with one difference: the libraries
//! below this crate never log at TRACE, whatever level is asked for. At TRACE the Lambda runtime
//! logs each raw event (with the password of a login) and the AWS SDK logs each DynamoDB answer
//! (with users' keys and password hashes); their DEBUG output carries neither.

use std::io::IsTerminal;

use tracing::Level;
use tracing_subscriber::filter::{EnvFilter, FilterExt, LevelFilter, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// Target prefixes of the libraries whose TRACE output may carry secrets.
const NO_TRACE_PREFIXES: &[&str] = &[
    "aws_",
    "lambda_runtime",
    "lambda_http",
    "hyper",
    "h2",
    "rustls",
];

fn may_carry_secrets(metadata: &tracing::Metadata<'_>) -> bool {
    *metadata.level() == Level::TRACE
        && NO_TRACE_PREFIXES
            .iter()
            .any(|prefix| metadata.target().starts_with(prefix))
}

fn env_filter(default_level: LevelFilter) -> EnvFilter {
    EnvFilter::builder()
        .with_default_directive(default_level.into())
        .from_env_lossy()
}

/// The audit events (target `audit`, INFO and above), logged whatever level is asked for, so
/// that who did what is always on record.
fn audit_events<S>() -> impl tracing_subscriber::layer::Filter<S> {
    filter_fn(|metadata| metadata.target() == "audit" && *metadata.level() <= Level::INFO)
}

/// Logging for a Lambda function: to stdout, without timestamps (CloudWatch adds them), as JSON
/// when `AWS_LAMBDA_LOG_FORMAT=JSON`, at `AWS_LAMBDA_LOG_LEVEL` (else `RUST_LOG`, else INFO),
/// the audit events always.
pub fn init_lambda() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|text| text.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let filter = env_filter(level)
        .or(audit_events())
        .and(filter_fn(|metadata| !may_carry_secrets(metadata)));
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT")
        .is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    let layer = fmt::layer().with_target(false).without_time();
    let layer = if json {
        layer.json().with_filter(filter).boxed()
    } else {
        layer.with_filter(filter).boxed()
    };
    tracing_subscriber::registry().with(layer).init();
}

/// Logging for the command line: text on stderr (coloured on a terminal), filtered by `RUST_LOG`
/// or else at `default_level`, the audit events always.
pub fn init_cli(default_level: LevelFilter) {
    let filter = env_filter(default_level)
        .or(audit_events())
        .and(filter_fn(|metadata| !may_carry_secrets(metadata)));
    let layer = fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(filter);
    tracing_subscriber::registry().with(layer).init();
}

/// An error and its sources, joined with ": ", for one log line or message.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
