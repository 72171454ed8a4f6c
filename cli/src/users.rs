//! `authtoken user ...`: create, change and list users.

use std::borrow::Cow;

use authtoken::accounts::folding;
use authtoken::admin;
use authtoken::config::{NameCase, PasswordRules};
use authtoken::secrets::breaches::BREACHED;
use authtoken::secrets::password::Password;
use authtoken::secrets::validators::Attributes;
use authtoken::store::Store;
use authtoken::store::dynamo::{DynamoStore, Tables};
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
        /// The username (as typed at login; case-sensitive unless USERNAME_CASE_INSENSITIVE=true,
        /// which stores it case-folded)
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
    /// Show one user: name, id, email, active, creation time, how many tokens; never the hash
    Show {
        /// The username
        name: String,
    },
    /// Rename a user, active or not, with every token of theirs (their keys stay valid)
    Rename {
        /// The username
        name: String,
        /// The new username (stored case-folded under USERNAME_CASE_INSENSITIVE=true)
        new_name: String,
    },
    /// Check that the table is ready for USERNAME_CASE_INSENSITIVE=true: list the names that
    /// share a case-folded form (rename or delete all but one of each first) and the names not
    /// stored folded; with --apply, rename each of those to its folded form
    FoldNames {
        /// Rename every name not stored folded (refused while names share a fold)
        #[arg(long)]
        apply: bool,
        /// Users read per request to DynamoDB (progress is reported after each)
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
        page_size: u32,
    },
    /// Put every user's email address in the users table's index by address, which password
    /// resets look addresses up in: needed once after upgrading a stack whose users had
    /// addresses before password resets existed
    IndexEmails {
        /// Users read per request to DynamoDB (progress is reported after each)
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
        page_size: u32,
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
async fn acceptable(password: Password, username: &str, email: &str) -> Result<Password, Error> {
    let user = Attributes {
        username,
        email: Some(email).filter(|email| !email.is_empty()),
    };
    let problems = PasswordRules::from_env()?.check(&password, user).await;
    if problems.is_empty() {
        return Ok(password);
    }
    let mut message = if problems == [BREACHED] {
        "the password was refused by the breach check; nothing was changed \
         (PASSWORD_BREACH_CHECK=false turns it off):"
    } else {
        "the password was refused by Django's password validators; nothing was changed \
         (PASSWORD_VALIDATORS=false turns them off):"
    }
    .to_owned();
    for problem in problems {
        message.push_str("\n  ");
        message.push_str(&problem);
    }
    Err(message.into())
}

/// `name` as users are stored: folded under `USERNAME_CASE_INSENSITIVE=true`, so that
/// `authtoken user delete ALICE` finds `alice`.
pub(crate) fn stored_name(name: String) -> Result<String, Error> {
    Ok(match NameCase::from_env()?.key(&name) {
        Cow::Borrowed(_) => name,
        Cow::Owned(folded) => folded,
    })
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
            let names = NameCase::from_env()?;
            let password = match Username::parse(&name, names) {
                Ok(username) => acceptable(password, username.as_str(), &email).await?,
                Err(_) => password,
            };
            let account = admin::NewAccount {
                name: &name,
                email: &email,
                active: !inactive,
                names,
            };
            admin::create_account(&store, account, password)
                .await
                .map(|username| {
                    let state = if inactive { "inactive" } else { "active" };
                    println!("created user {username:?} ({state})");
                    if names == NameCase::Insensitive {
                        println!("(names match whatever their case: USERNAME_CASE_INSENSITIVE)");
                    } else if username != name {
                        println!("(normalized from {name:?}: log in as {username:?})");
                    }
                })
        }
        UserCommand::SetPassword {
            name,
            password,
            keep_token,
        } => {
            let name = stored_name(name)?;
            let password = password.read()?;
            // An unknown user is said first, rather than the rules of a password never set.
            let Some(user) = store
                .user(&name)
                .await
                .map_err(|error| explain(admin::AdminError::Store(error), &tables))?
            else {
                return Err(explain(admin::AdminError::NotFound(name), &tables));
            };
            let password = acceptable(password, &name, &user.email).await?;
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
            let name = stored_name(name)?;
            admin::set_active(&store, &name, false)
                .await
                .map(|changed| {
                    report(
                        changed,
                        format!("deactivated {name:?}; their tokens, if any, are deleted"),
                        format!("{name:?} was already inactive"),
                    );
                })
        }
        UserCommand::Activate { name } => {
            let name = stored_name(name)?;
            admin::set_active(&store, &name, true).await.map(|changed| {
                report(
                    changed,
                    format!("activated {name:?}"),
                    format!("{name:?} was already active"),
                );
            })
        }
        UserCommand::Unlock { name } => {
            let name = stored_name(name)?;
            admin::unlock(&store, &name).await.map(|cleared| {
                report(
                    cleared,
                    format!("unlocked {name:?}: its failed logins are forgotten"),
                    format!("{name:?} had no failed logins; nothing to unlock"),
                );
            })
        }
        UserCommand::Delete { name } => {
            let name = stored_name(name)?;
            admin::delete_user(&store, &name)
                .await
                .map(|()| println!("deleted user {name:?} and their tokens"))
        }
        UserCommand::Show { name } => {
            let name = stored_name(name)?;
            let Some(user) = store
                .user(&name)
                .await
                .map_err(|error| explain(admin::AdminError::Store(error), &tables))?
            else {
                return Err(explain(admin::AdminError::NotFound(name), &tables));
            };
            let id = user.id.map_or_else(|| "-".to_owned(), |id| id.to_string());
            println!("username  {}", user.username);
            println!("id        {id}");
            println!("email     {}", user.email);
            println!("active    {}", if user.active { "yes" } else { "no" });
            println!("created   {}", authtoken::clock::rfc3339(user.created));
            println!("tokens    {}", user.token_count());
            Ok(())
        }
        UserCommand::Rename { name, new_name } => {
            let name = stored_name(name)?;
            admin::rename_user(&store, &name, &new_name, NameCase::from_env()?)
                .await
                .map(|renamed| println!("renamed {name:?} to {renamed:?}"))
        }
        UserCommand::FoldNames { apply, page_size } => {
            return fold_names(&store, apply, page_size, &tables).await;
        }
        UserCommand::IndexEmails { page_size } => {
            return index_emails(&store, page_size, &tables).await;
        }
        UserCommand::List { page_size } => return list(&store, page_size, &tables).await,
    };
    outcome.map_err(|error| explain(error, &tables))
}

/// `user fold-names`: the plan, and with `apply` its renames.
async fn fold_names(
    store: &DynamoStore,
    apply: bool,
    page_size: u32,
    tables: &Tables,
) -> Result<(), Error> {
    let plan = folding::plan(store, page_size, |read| eprintln!("{read} user(s) read"))
        .await
        .map_err(|error| explain(admin::AdminError::Store(error), tables))?;
    if !plan.collisions.is_empty() {
        println!(
            "{} group(s) of names share a case-folded form; only one name of each can stay \
             (`authtoken user rename` or `authtoken user delete` the others):",
            plan.collisions.len()
        );
        for names in &plan.collisions {
            println!("  {}", quoted(names));
        }
    }
    if plan.renames.is_empty() {
        if plan.collisions.is_empty() {
            println!(
                "all {} name(s) are stored case-folded and unique whatever their case: \
                 USERNAME_CASE_INSENSITIVE=true can be turned on",
                plan.users
            );
            return Ok(());
        }
    } else if !apply || !plan.collisions.is_empty() {
        println!("{} name(s) are not stored case-folded:", plan.renames.len());
        for (name, folded) in &plan.renames {
            println!("  {name:?} -> {folded:?}");
        }
    }
    if !plan.collisions.is_empty() {
        return Err(format!(
            "{} group(s) of names share a case-folded form (listed above); nothing was renamed",
            plan.collisions.len()
        )
        .into());
    }
    if !apply {
        println!("run again with --apply to rename them");
        return Ok(());
    }
    let mut failed = 0usize;
    for (name, folded) in &plan.renames {
        match admin::rename_user(store, name, folded, NameCase::Sensitive).await {
            Ok(_) => println!("renamed {name:?} to {folded:?}"),
            Err(error) => {
                failed += 1;
                eprintln!("authtoken: {name:?}: {}", explain(error, tables));
            }
        }
    }
    if failed == 0 {
        println!(
            "all {} name(s) are stored case-folded and unique whatever their case: \
             USERNAME_CASE_INSENSITIVE=true can be turned on",
            plan.users
        );
        Ok(())
    } else {
        Err(format!(
            "{failed} of {} rename(s) failed (listed above); run again to retry them",
            plan.renames.len()
        )
        .into())
    }
}

/// `user index-emails`: every address written again, with its indexed form.
async fn index_emails(store: &DynamoStore, page_size: u32, tables: &Tables) -> Result<(), Error> {
    let mut after: Option<String> = None;
    let (mut read, mut indexed) = (0usize, 0usize);
    loop {
        let page = admin::list_users(store, after.as_deref(), page_size)
            .await
            .map_err(|error| explain(error, tables))?;
        read += page.users.len();
        for user in page.users.iter().filter(|user| !user.email.is_empty()) {
            // Gone since the page was read: nothing to index.
            if store
                .set_email(&user.username, &user.email)
                .await
                .map_err(|error| explain(admin::AdminError::Store(error), tables))?
            {
                indexed += 1;
            }
        }
        eprintln!("{read} user(s) read, {indexed} address(es) indexed");
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    println!("{indexed} address(es) of {read} user(s) are in the index by email address");
    Ok(())
}

/// Prints `done` when a command changed something, else `unchanged`.
fn report(changed: bool, done: String, unchanged: String) {
    println!("{}", if changed { done } else { unchanged });
}

/// Names, quoted and comma-separated.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("{name:?}"))
        .collect::<Vec<_>>()
        .join(", ")
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
