//! `authtoken user ...`: create, change and list users.

use authtoken::admin;
use authtoken::config::PasswordRules;
use authtoken::secrets::password::Password;
use authtoken::secrets::validators::Attributes;
use authtoken::store::Store;
use authtoken::username::Username;
use clap::{Args, Subcommand};

use crate::connect::{TableArgs, connect};
use crate::password_input::PasswordArgs;
use crate::{Error, explain};

/// `authtoken user`.
#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
    #[command(flatten)]
    tables: TableArgs,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user; the password is prompted for twice, or read with --password-stdin, and
    /// must pass Django's password validators (PASSWORD_VALIDATORS, PASSWORD_MIN_LENGTH)
    Create {
        /// The username (as typed at login; case-sensitive)
        name: String,
        #[command(flatten)]
        password: PasswordArgs,
        /// Create the user inactive (cannot log in until `user activate`)
        #[arg(long)]
        inactive: bool,
        /// The user's email address (as Django's EmailValidator accepts it)
        #[arg(long, default_value = "")]
        email: String,
    },
    /// Set a user's password and delete their token (a stolen token must not outlive a reset);
    /// the password must pass Django's password validators, as for `create`
    SetPassword {
        /// The username
        name: String,
        #[command(flatten)]
        password: PasswordArgs,
        /// Keep the user's current token valid (DRF's behaviour)
        #[arg(long)]
        keep_token: bool,
    },
    /// Deactivate a user: they cannot log in, and their token is deleted at once
    Deactivate {
        /// The username
        name: String,
    },
    /// Activate a user: they can log in again
    Activate {
        /// The username
        name: String,
    },
    /// Forget the failed logins of a username (a user or not), ending its lock at once
    Unlock {
        /// The username, as typed at login
        name: String,
    },
    /// Delete a user and their token
    Delete {
        /// The username
        name: String,
    },
    /// List users (name, active, how many tokens, creation time, id, email); never hashes
    List {
        /// Users read per request to DynamoDB
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
        page_size: u32,
    },
}

/// `password` if it passes the password rules for the user `username` of address `email`
/// (`""`: none); otherwise an error that lists Django's message for each rule it breaks.
fn acceptable(password: Password, username: &str, email: &str) -> Result<Password, Error> {
    let user = Attributes {
        username,
        email: Some(email).filter(|email| !email.is_empty()),
    };
    let problems = PasswordRules::from_env()?.problems(&password, user);
    if problems.is_empty() {
        return Ok(password);
    }
    let mut message = "the password was refused by Django's password validators; nothing was \
                       changed (PASSWORD_VALIDATORS=false turns them off):"
        .to_owned();
    for problem in problems {
        message.push_str("\n  ");
        message.push_str(&problem);
    }
    Err(message.into())
}

/// Runs a `user` subcommand.
pub async fn run(args: UserArgs) -> Result<(), Error> {
    let store = connect(&args.tables).await?;
    let tables = store.tables().clone();
    let outcome = match args.command {
        UserCommand::Create {
            name,
            password,
            inactive,
            email,
        } => {
            let password = password.read()?;
            // Compared with the name as it will be stored (NFKC); a name that cannot be stored
            // is refused by create_user, before any word on the password.
            let password = match Username::parse(&name) {
                Ok(username) => acceptable(password, username.as_str(), &email)?,
                Err(_) => password,
            };
            admin::create_user_with_email(&store, &name, password, !inactive, &email)
                .await
                .map(|username| {
                    let state = if inactive { "inactive" } else { "active" };
                    println!("created user {username:?} ({state})");
                    if username != name {
                        println!("(normalized from {name:?}: log in as {username:?})");
                    }
                })
        }
        UserCommand::SetPassword {
            name,
            password,
            keep_token,
        } => {
            let password = password.read()?;
            // An unknown user is said first, rather than the rules of a password never set.
            let Some(user) = store
                .user(&name)
                .await
                .map_err(|error| explain(admin::AdminError::Store(error), &tables))?
            else {
                return Err(explain(admin::AdminError::NotFound(name), &tables));
            };
            let password = acceptable(password, &name, &user.email)?;
            let token = if keep_token {
                admin::TokenOnReset::Keep
            } else {
                admin::TokenOnReset::Revoke
            };
            admin::set_password(&store, &name, password, token)
                .await
                .map(|revoked| match (token, revoked) {
                    (admin::TokenOnReset::Keep, _) => {
                        println!("set the password of {name:?}; their token, if any, stays valid")
                    }
                    (_, 0) => println!("set the password of {name:?} (they held no token)"),
                    (_, 1) => println!("set the password of {name:?} and deleted their token"),
                    (_, n) => {
                        println!("set the password of {name:?} and deleted their {n} tokens")
                    }
                })
        }
        UserCommand::Deactivate { name } => {
            admin::set_active(&store, &name, false)
                .await
                .map(|changed| {
                    if changed {
                        println!("deactivated {name:?}; their tokens, if any, are deleted");
                    } else {
                        println!("{name:?} was already inactive");
                    }
                })
        }
        UserCommand::Activate { name } => {
            admin::set_active(&store, &name, true).await.map(|changed| {
                if changed {
                    println!("activated {name:?}");
                } else {
                    println!("{name:?} was already active");
                }
            })
        }
        UserCommand::Unlock { name } => admin::unlock(&store, &name).await.map(|cleared| {
            if cleared {
                println!("unlocked {name:?}: its failed logins are forgotten");
            } else {
                println!("{name:?} had no failed logins; nothing to unlock");
            }
        }),
        UserCommand::Delete { name } => admin::delete_user(&store, &name)
            .await
            .map(|()| println!("deleted user {name:?} and their tokens")),
        UserCommand::List { page_size } => return list(&store, page_size, &tables).await,
    };
    outcome.map_err(|error| explain(error, &tables))
}

async fn list(
    store: &authtoken::store::dynamo::DynamoStore,
    page_size: u32,
    tables: &authtoken::store::dynamo::Tables,
) -> Result<(), Error> {
    let mut after: Option<String> = None;
    let mut count = 0usize;
    loop {
        let page = admin::list_users(store, after.as_deref(), page_size)
            .await
            .map_err(|error| explain(error, tables))?;
        if after.is_none() {
            println!(
                "{:<32} {:<6} {:<6} {:<20} {:<8} EMAIL",
                "USERNAME", "ACTIVE", "TOKENS", "CREATED", "ID"
            );
        }
        for user in &page.users {
            let id = user.id.map_or_else(|| "-".to_owned(), |id| id.to_string());
            println!(
                "{:<32} {:<6} {:<6} {:<20} {:<8} {}",
                user.username,
                if user.active { "yes" } else { "no" },
                user.token_count(),
                authtoken::clock::rfc3339(user.created),
                id,
                user.email
            );
        }
        count += page.users.len();
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    eprintln!("{count} user(s)");
    Ok(())
}
