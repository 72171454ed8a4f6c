//! `authtoken token ...`: users' tokens. `create` as Django's `drf_create_token` gives them
//! (or a new one per call under the per-login policy), `list` and `revoke` under either
//! policy, `forget-keys` for a switch to the per-login policy, `seal-keys` after an upgrade or a
//! rotation of the seal secret.

use authtoken::admin::{self, Sealing, WhichTokens};
use authtoken::clock;
use authtoken::config::Settings;
use authtoken::secrets::token::TokenKey;
use authtoken::store::dynamo::DynamoStore;
use clap::{Args, Subcommand};

use crate::connect::{TableArgs, connect, is_local_endpoint};
use crate::users::stored_name;
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
    /// Print a token of the user on standard output: under TOKEN_POLICY=per-user their token,
    /// created if they have none; under per-login a new one each time
    Create {
        /// The username
        name: String,
        /// Replace the current token with a new one (the old one stops working; per-user only)
        #[arg(long)]
        reset: bool,
        /// Install this key, instead of a new random one, as the user's token (replacing their
        /// current one): for tables on this machine only, such as the ones `sam local invoke`
        /// replays the events against (their key is 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b);
        /// per-user policy only
        #[arg(long, value_name = "KEY", conflicts_with = "reset")]
        key: Option<String>,
    },
    /// List the user's tokens: a digest prefix (never the key), when each was created and
    /// when it expires
    List {
        /// The username
        name: String,
    },
    /// Delete the user's token (they log in again to get a new one)
    Revoke {
        /// The username
        name: String,
        /// Delete every token of the user (needed when they hold several)
        #[arg(long, conflicts_with = "digest")]
        all: bool,
        /// Delete the one token whose digest starts with this prefix (see `token list`)
        #[arg(long, value_name = "PREFIX")]
        digest: Option<String>,
    },
    /// Remove every per-user key kept in plain text on the users' items, keeping each token
    /// valid by its digest (run after switching to TOKEN_POLICY=per-login)
    ForgetKeys {
        /// Users read per page (progress is reported after each)
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
        page_size: u32,
    },
    /// Seal, under the seal secret's current version, every per-user key kept in plain text
    /// (by a version before sealing) or under its previous version (run after upgrading, and
    /// after each rotation of the secret)
    SealKeys {
        /// Users read per page (progress is reported after each)
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
        page_size: u32,
    },
}

/// Runs a `token` subcommand.
pub async fn run(args: TokenArgs) -> Result<(), Error> {
    let store = connect(&args.tables).await?;
    let tables = store.tables().clone();
    let outcome = match args.command {
        TokenCommand::Create {
            name,
            key: Some(key),
            ..
        } => {
            let name = stored_name(name)?;
            let settings = Settings::from_env()?;
            if !is_local_endpoint() {
                return Err(
                    "--key is for tables on this machine only (AWS_ENDPOINT_URL_DYNAMODB at a \
                     local server): a key chosen by hand, and written in a command line, is no \
                     secret"
                        .into(),
                );
            }
            if settings.token_policy.is_per_login() {
                return Err("--key applies to TOKEN_POLICY=per-user only".into());
            }
            let key = TokenKey::new(key);
            admin::install_key(&store, &settings, &name, &key)
                .await
                .map(|()| println!("{}", key.expose()))
        }
        TokenCommand::Create { name, reset, .. } => {
            let name = stored_name(name)?;
            let settings = Settings::from_env()?;
            if reset && settings.token_policy.is_per_login() {
                return Err(
                    "--reset applies to TOKEN_POLICY=per-user only: under per-login \
                            every `token create` makes a new token"
                        .into(),
                );
            }
            admin::issue_token(&store, &settings, &name, reset)
                .await
                .map(|granted| println!("{}", granted.key.expose()))
        }
        TokenCommand::List { name } => {
            let name = stored_name(name)?;
            admin::list_tokens(&store, &name).await.map(|tokens| {
                println!(
                    "{:<8}  {:<20}  {:<20}  KIND",
                    "DIGEST", "CREATED", "EXPIRES"
                );
                for token in &tokens {
                    println!(
                        "{:<8}  {:<20}  {:<20}  {}",
                        token.digest_prefix,
                        clock::rfc3339(token.created),
                        token
                            .expires
                            .map_or_else(|| "never".to_owned(), clock::rfc3339),
                        if token.per_user {
                            "per-user"
                        } else {
                            "per-login"
                        },
                    );
                }
                eprintln!("{} token(s)", tokens.len());
            })
        }
        TokenCommand::Revoke { name, all, digest } => {
            let name = stored_name(name)?;
            let which = match (all, digest) {
                (true, _) => WhichTokens::All,
                (false, Some(prefix)) => WhichTokens::Digest(prefix),
                (false, None) => WhichTokens::Only,
            };
            admin::revoke_tokens(&store, &name, &which)
                .await
                .map(|revoked| match revoked {
                    0 => println!("{name:?} had no token"),
                    1 => println!("revoked 1 token of {name:?}"),
                    n => println!("revoked {n} tokens of {name:?}"),
                })
        }
        TokenCommand::ForgetKeys { page_size } => {
            return forget_keys(&store, page_size, &tables).await;
        }
        TokenCommand::SealKeys { page_size } => {
            return seal_keys(&store, page_size, &tables).await;
        }
    };
    outcome.map_err(|error| explain(error, &tables))
}

/// Every user's per-user key removed from their item, page by page, with progress on standard
/// error. A user it cannot settle (for instance, one who keeps logging in under the per-user
/// policy) is reported, and the others carry on.
async fn forget_keys(
    store: &DynamoStore,
    page_size: u32,
    tables: &authtoken::store::dynamo::Tables,
) -> Result<(), Error> {
    let counts = each_key_holder(
        store,
        page_size,
        tables,
        "forgotten",
        |username| async move {
            Ok(admin::forget_key(store, &username)
                .await?
                .then_some("forgotten"))
        },
    )
    .await?;
    let (users, forgotten) = (counts.users, counts.of("forgotten"));
    println!("forgot {forgotten} key(s) of {users} user(s); every token stays valid");
    counts.settled()
}

/// Every per-user key kept in plain text or under the seal secret's previous version sealed
/// under its current one, page by page, with progress on standard error.
async fn seal_keys(
    store: &DynamoStore,
    page_size: u32,
    tables: &authtoken::store::dynamo::Tables,
) -> Result<(), Error> {
    let counts = each_key_holder(store, page_size, tables, "sealed", |username| async move {
        Ok(match admin::seal_key(store, &username).await? {
            Sealing::NoKey => None,
            Sealing::Current => Some("already sealed"),
            Sealing::Resealed => Some("sealed"),
            Sealing::Lost => Some("lost"),
        })
    })
    .await?;
    println!(
        "sealed {} key(s) of {} user(s); {} already sealed under the current secret",
        counts.of("sealed"),
        counts.users,
        counts.of("already sealed")
    );
    let lost = counts.of("lost");
    if lost > 0 {
        eprintln!(
            "authtoken: {lost} key(s) cannot be opened with the secret's current or previous \
             version: they still authenticate, and each user's next login replaces theirs"
        );
    }
    counts.settled()
}

/// What [`each_key_holder`] counted.
struct Counts {
    users: usize,
    outcomes: std::collections::BTreeMap<&'static str, usize>,
    failed: usize,
}

impl Counts {
    fn of(&self, outcome: &str) -> usize {
        self.outcomes.get(outcome).copied().unwrap_or(0)
    }

    /// An error if some users could not be settled.
    fn settled(&self) -> Result<(), Error> {
        match self.failed {
            0 => Ok(()),
            failed => {
                Err(format!("{failed} user(s) could not be settled: run the command again").into())
            }
        }
    }
}

/// Runs `action` on every user who holds a per-user key, page by page, counting its outcomes
/// and reporting after each page how many were `progress`. A user it cannot settle is reported
/// and the others carry on; a store failure stops it.
async fn each_key_holder<Next>(
    store: &DynamoStore,
    page_size: u32,
    tables: &authtoken::store::dynamo::Tables,
    progress: &'static str,
    mut action: impl FnMut(String) -> Next,
) -> Result<Counts, Error>
where
    Next: Future<Output = Result<Option<&'static str>, admin::AdminError>>,
{
    let mut counts = Counts {
        users: 0,
        outcomes: std::collections::BTreeMap::new(),
        failed: 0,
    };
    let mut after = None::<String>;
    loop {
        let page = admin::list_users(store, after.as_deref(), page_size)
            .await
            .map_err(|error| explain(error, tables))?;
        for user in page
            .users
            .iter()
            .filter(|user| user.per_user_token.is_some())
        {
            match action(user.username.clone()).await {
                Ok(Some(outcome)) => *counts.outcomes.entry(outcome).or_default() += 1,
                Ok(None) => {}
                Err(error @ admin::AdminError::Store(_)) => return Err(explain(error, tables)),
                Err(error) => {
                    eprintln!("authtoken: {:?}: {error}", user.username);
                    counts.failed += 1;
                }
            }
        }
        counts.users += page.users.len();
        eprintln!(
            "{} user(s) read, {} key(s) {progress}",
            counts.users,
            counts.of(progress)
        );
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(counts),
        }
    }
}
