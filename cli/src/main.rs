//! `authtoken`: the token service on your machine and its administration.
//!
//! - `authtoken serve` runs the contract's endpoints over HTTP on loopback through the very handlers
//!   the Lambda functions run, on an in-memory store or on DynamoDB;
//! - `authtoken user ...`, `authtoken token ...` manage users and tokens in the DynamoDB tables;
//! - `authtoken tables ...` creates or checks the tables on a local DynamoDB-compatible server;
//! - `authtoken import django FILE` moves a DRF back-end's users and tokens in.
//!
//! Exit codes: 0 success, 1 failure (the message says why), 2 bad usage.

mod browsers;
mod connect;
mod dumpdata;
mod import;
mod password_input;
mod serve;
mod tables;
mod tokens;
mod users;

use std::process::ExitCode;

use authtoken::admin::AdminError;
use authtoken::secrets::seal::SealError;
use authtoken::store::StoreError;
use authtoken::store::dynamo::Tables;
use clap::{Parser, Subcommand};
use tracing_subscriber::filter::LevelFilter;

/// Any failure of a command, shown to the user with its causes.
type Error = Box<dyn std::error::Error + Send + Sync>;

/// What a command was doing when `cause` stopped it. The cause stays the error's source, so
/// that `main` prints the whole chain, once.
#[derive(Debug, thiserror::Error)]
#[error("{doing}")]
struct Context {
    doing: String,
    #[source]
    cause: Error,
}

/// `cause`, with what the command was doing.
fn context(doing: impl Into<String>, cause: impl Into<Error>) -> Error {
    Box::new(Context {
        doing: doing.into(),
        cause: cause.into(),
    })
}

/// Command-line interface of the token service.
#[derive(Debug, Parser)]
#[command(name = "authtoken", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (every endpoint of docs/API.md) over HTTP, on an in-memory store (lost
    /// at exit) or, with --dynamodb, on the DynamoDB tables
    Serve(serve::ServeArgs),
    /// Manage users in the DynamoDB tables
    User(users::UserArgs),
    /// Manage users' tokens in the DynamoDB tables
    Token(tokens::TokenArgs),
    /// Create or check the tables on a local DynamoDB-compatible server
    Tables(tables::TablesArgs),
    /// Import users and tokens into the DynamoDB tables from a DRF back-end
    Import(import::ImportArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server logs each request at info; the one-shot commands only say what went wrong.
    authtoken::logging::init_cli(match cli.command {
        Command::Serve(_) => LevelFilter::INFO,
        _ => LevelFilter::WARN,
    });
    let outcome = match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::User(args) => users::run(args).await,
        Command::Token(args) => tokens::run(args).await,
        Command::Tables(args) => tables::run(args).await,
        Command::Import(args) => import::run(args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("authtoken: error: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

/// An administration failure, with advice where the store's error alone would not help.
fn explain(error: AdminError, tables: &Tables) -> Error {
    match error {
        AdminError::Store(error) => explain_store(error, tables),
        other => other.into(),
    }
}

/// A store failure, with advice for the ones a person can act on.
fn explain_store(error: StoreError, tables: &Tables) -> Error {
    match error {
        StoreError::TableNotFound(_) => format!(
            "the users table {:?} or the tokens table {:?} does not exist: on a local \
             DynamoDB-compatible server run `authtoken tables create`; on AWS, deploy the stack \
             (docs/DEPLOYING.md) and use the table names it outputs",
            tables.users, tables.tokens
        )
        .into(),
        // The seal secret's failures say what is wrong with it themselves.
        StoreError::Failed(cause) | StoreError::Unavailable(cause) if cause.is::<SealError>() => {
            cause
        }
        StoreError::Unavailable(_) => {
            let target = connect::endpoint_override().unwrap_or_else(|| "AWS".to_owned());
            context(format!("cannot reach DynamoDB at {target}"), error)
        }
        other => other.into(),
    }
}
