//! `authtoken tables ...`: create or check the tables on a local DynamoDB-compatible
//! server.

use authtoken::store::dynamo::tables::{self, Creation, TableCheck};
use clap::{Args, Subcommand};

use authtoken::secrets::token::{TokenFormat, TokenKey};
use authtoken::store::dynamo::client::{Limits, sdk_config};

use crate::connect::{
    TableArgs, connect, endpoint_override, is_local_endpoint, is_local_secrets_endpoint,
};
use crate::{Error, explain_store};

/// `authtoken tables`.
#[derive(Debug, Args)]
pub struct TablesArgs {
    #[command(subcommand)]
    command: TablesCommand,
    #[command(flatten)]
    tables: TableArgs,
}

#[derive(Debug, Subcommand)]
enum TablesCommand {
    /// Create the users, tokens and lockouts tables as template.yaml defines them, unless they
    /// exist, and the seal secret if one is named (--seal-secret or $TOKEN_SEAL_SECRET)
    Create {
        /// Allow creating tables in real AWS (deploy the stack instead: docs/DEPLOYING.md)
        #[arg(long)]
        yes_really: bool,
    },
    /// Compare the tables with template.yaml's definitions; exits 1 if any differs or is missing
    Check,
}

/// Creates the seal secret `id` with 80 random characters on a local Secrets Manager (moto),
/// unless it exists. (On AWS the stack creates it.)
async fn create_seal_secret(id: &str, yes_really: bool) -> Result<(), Error> {
    if !is_local_secrets_endpoint() && !yes_really {
        return Err(format!(
            "refusing to create the seal secret {id:?} in AWS's Secrets Manager: the stack \
             creates it (docs/DEPLOYING.md). For a local server set \
             AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:PORT, or pass --yes-really"
        )
        .into());
    }
    let config = sdk_config(Limits::Administration).await;
    let random: String = (0..2)
        .map(|_| TokenKey::generate(TokenFormat::Hex).expose().to_owned())
        .collect();
    let created = aws_sdk_secretsmanager::Client::new(&config)
        .create_secret()
        .name(id)
        .description("Seals the per-user keys kept on users (authtoken)")
        .secret_string(random)
        .send()
        .await;
    match created {
        Ok(_) => println!("created the seal secret {id:?}"),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|error| error.is_resource_exists_exception()) =>
        {
            println!("the seal secret {id:?} already exists; left as it is")
        }
        Err(error) => {
            return Err(crate::context(
                format!("cannot create the seal secret {id:?}"),
                error,
            ));
        }
    }
    Ok(())
}

/// Runs a `tables` subcommand.
pub async fn run(args: TablesArgs) -> Result<(), Error> {
    match args.command {
        TablesCommand::Create { yes_really } => {
            if !is_local_endpoint() && !yes_really {
                let target = endpoint_override().unwrap_or_else(|| "AWS itself".to_owned());
                return Err(format!(
                    "refusing to create tables at {target}: this command is for \
                     DynamoDB-compatible servers on this machine (set \
                     AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:PORT, or an address of one of its \
                     interfaces, such as Docker's bridge). On AWS, deploy the stack \
                     (docs/DEPLOYING.md), or pass --yes-really"
                )
                .into());
            }
            let store = connect(&args.tables).await?;
            let names = store.tables().clone();
            let created = tables::create(store.client(), &names)
                .await
                .map_err(|error| explain_store(error, &names))?;
            for ((kind, name), creation) in kinds(&names).into_iter().zip(created) {
                match creation {
                    Creation::Created => println!("created the {kind} table {name:?}"),
                    Creation::AlreadyExists => {
                        println!("the {kind} table {name:?} already exists; left as it is")
                    }
                }
            }
            match args.tables.seal_secret() {
                Some(secret) => create_seal_secret(&secret, yes_really).await,
                None => Ok(()),
            }
        }
        TablesCommand::Check => {
            let store = connect(&args.tables).await?;
            let names = store.tables().clone();
            let checks = tables::check(store.client(), &names)
                .await
                .map_err(|error| explain_store(error, &names))?;
            let mut all_match = true;
            for ((kind, name), check) in kinds(&names).into_iter().zip(checks) {
                match check {
                    TableCheck::Matches => {
                        println!("the {kind} table {name:?} matches template.yaml")
                    }
                    TableCheck::Missing => {
                        all_match = false;
                        println!(
                            "the {kind} table {name:?} does not exist (run `authtoken tables create`)"
                        );
                    }
                    TableCheck::Differs(differences) => {
                        all_match = false;
                        println!("the {kind} table {name:?} differs from template.yaml:");
                        for difference in differences {
                            println!("  - {difference}");
                        }
                    }
                }
            }
            if all_match {
                Ok(())
            } else {
                Err("the tables do not match template.yaml".into())
            }
        }
    }
}

/// Each table with what it holds, in the order `tables::create` and `tables::check` answer.
fn kinds(names: &authtoken::store::dynamo::Tables) -> [(&'static str, &String); 3] {
    [
        ("users", &names.users),
        ("tokens", &names.tokens),
        ("lockouts", &names.lockouts),
    ]
}
