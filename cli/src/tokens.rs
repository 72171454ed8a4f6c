//! `authtoken token ...`: a user's token, as Django's `drf_create_token` gives it.

use authtoken::admin;
use authtoken::config::Settings;
use clap::{Args, Subcommand};

use crate::connect::{TableArgs, connect};
use crate::{Error, explain};

/// `authtoken token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
    #[command(flatten)]
    tables: TableArgs,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Print the user's token on standard output, creating it if they have none
    Create {
        /// The username
        name: String,
        /// Replace the current token with a new one (the old one stops working)
        #[arg(long)]
        reset: bool,
    },
    /// Delete the user's token (they log in again to get a new one)
    Revoke {
        /// The username
        name: String,
    },
}

/// Runs a `token` subcommand.
pub async fn run(args: TokenArgs) -> Result<(), Error> {
    let store = connect(&args.tables).await?;
    let tables = store.tables().clone();
    let outcome = match args.command {
        TokenCommand::Create { name, reset } => {
            let settings = Settings::from_env()?;
            admin::issue_token(&store, &settings, &name, reset)
                .await
                .map(|key| println!("{}", key.expose()))
        }
        TokenCommand::Revoke { name } => admin::revoke_token(&store, &name).await.map(|revoked| {
            if revoked {
                println!("revoked the token of {name:?}");
            } else {
                println!("{name:?} had no token");
            }
        }),
    };
    outcome.map_err(|error| explain(error, &tables))
}
