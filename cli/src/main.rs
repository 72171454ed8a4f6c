//! `authtoken`: the token service on your machine. `authtoken serve` runs the three endpoints
//! over HTTP on loopback through the very handlers the Lambda functions run.

mod serve;

use std::fmt;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;

use authtoken::password::Password;
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// Command-line interface of the token service.
#[derive(Debug, Parser)]
#[command(name = "authtoken", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve POST /api-token-auth/, GET /api/whoami/ and POST /api/logout/ over HTTP, on an
    /// in-memory store (its data is lost at exit). TOKEN_TTL_SECONDS applies as in Lambda.
    Serve(ServeArgs),
}

/// Options of `authtoken serve`.
#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8000")]
    addr: SocketAddr,
    /// A user to create before serving (repeatable). For local use only: the password shows in
    /// the process list.
    #[arg(long = "user", value_name = "NAME:PASSWORD", value_parser = UserArg::parse)]
    users: Vec<UserArg>,
    /// An inactive user to create before serving (repeatable); it cannot log in.
    #[arg(long = "inactive-user", value_name = "NAME:PASSWORD", value_parser = UserArg::parse)]
    inactive_users: Vec<UserArg>,
}

/// `NAME:PASSWORD` from the command line.
#[derive(Clone)]
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

impl fmt::Debug for UserArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserArg")
            .field("name", &self.name)
            .field("password", &self.password)
            .finish()
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Serve(args) => serve::run(args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("authtoken: error: {error}");
            let mut source = std::error::Error::source(error.as_ref());
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}
