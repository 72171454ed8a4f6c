//! `authtoken import django FILE`: users and DRF tokens from `python manage.py dumpdata
//! auth.user authtoken.token`, so that moving from DRF logs nobody out. Each user keeps their
//! username and Django password hash (verified at login and replaced by argon2id then), each
//! token its key and creation time.
//!
//! Every entry is checked before anything is written; users are then written in transactions
//! of 50, each with their token (both or neither). Existing users are left alone (or updated
//! with `--update`); `--dry-run` writes nothing. The summary counts what was created, skipped,
//! updated and refused, with a reason for each refusal.

use authtoken::clock;
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use authtoken::admin;
use authtoken::audit::{self, Issuance};
use authtoken::config::Settings;
use authtoken::secrets::django_hash::{self, Kind};
use authtoken::secrets::seal::KeptKey;
use authtoken::secrets::token::TokenKey;
use authtoken::store::dynamo::DynamoStore;
use authtoken::store::{
    ImportOutcome, Imported, Installation, NewToken, PerLoginToken, PerUserToken, Store, User,
};
use clap::{Args, Subcommand};
use serde_json::Value;

use crate::connect::{TableArgs, connect};
use crate::dumpdata::{self, Dump, DumpedToken, DumpedUser, Refusal, UserRef};
use crate::{Error, explain_store};

/// `authtoken import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    source: Source,
    #[command(flatten)]
    tables: TableArgs,
}

#[derive(Debug, Subcommand)]
enum Source {
    /// Import the users and tokens of a DRF back-end from `manage.py dumpdata auth.user
    /// authtoken.token` (JSON; --indent, --natural-foreign and --natural-primary all read)
    Django(DjangoArgs),
}

#[derive(Debug, Args)]
struct DjangoArgs {
    /// The dumpdata file, or - for standard input
    file: PathBuf,
    /// The user model, as dumpdata names it (for a custom AUTH_USER_MODEL)
    #[arg(long, default_value = "auth.user", value_name = "APP.MODEL")]
    user_model: String,
    /// The user model's login field (its USERNAME_FIELD)
    #[arg(long, default_value = "username", value_name = "FIELD")]
    username_field: String,
    /// Existing users get the dump's password hash and active flag (and its token, if they
    /// hold none), instead of being left alone
    #[arg(long)]
    update: bool,
    /// Say what would happen, and write nothing
    #[arg(long)]
    dry_run: bool,
    /// Import users whose password hash this project cannot verify (md5, bcrypt...) with an
    /// unusable password, instead of refusing them
    #[arg(long)]
    unusable_unsupported: bool,
}

/// Users written per progress line.
const PROGRESS_EVERY: usize = 500;

/// Runs an `import` subcommand.
pub async fn run(args: ImportArgs) -> Result<(), Error> {
    let Source::Django(django) = args.source;
    let text = read_input(&django.file)?;
    let dump = dumpdata::read(&text, &django.user_model, &django.username_field)?;
    if dump.users.is_empty() && dump.tokens.is_empty() && dump.refused.is_empty() {
        return Err(format!(
            "no {} or {} entries in the dump ({} of other models): dump them with `python \
             manage.py dumpdata {} {}`, or name a custom user model with --user-model",
            django.user_model,
            dumpdata::TOKEN_MODEL,
            dump.other_models,
            django.user_model,
            dumpdata::TOKEN_MODEL
        )
        .into());
    }
    let settings = Settings::from_env()?;
    let mut plan = plan(dump, &settings, django.unusable_unsupported);
    let store = connect(&args.tables).await?;
    let tables = store.tables().clone();
    give_ids(&store, &mut plan, django.dry_run)
        .await
        .map_err(|error| explain_store(error, &tables))?;
    if !django.dry_run {
        // Every key sealed before anything is written: a secret that cannot be read stops the
        // import whole.
        seal_keys(&store, &mut plan.users).await?;
    }
    let report = write(&store, &settings, &plan, &django)
        .await
        .map_err(|error| explain_store(error, &tables))?;
    report.print(&plan, &django);
    if plan.refused.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} entries were refused (listed above); the others were {}",
            plan.refused.len(),
            if django.dry_run {
                "checked"
            } else {
                "imported"
            }
        )
        .into())
    }
}

fn read_input(file: &PathBuf) -> Result<Vec<u8>, Error> {
    let mut text = Vec::new();
    if file.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut text)
            .map_err(|error| crate::context("cannot read standard input", error))?;
    } else {
        text = std::fs::read(file)
            .map_err(|error| crate::context(format!("cannot read {}", file.display()), error))?;
    }
    Ok(text)
}

/// Gives each user to import their id: Django's primary key, which later ids are then drawn
/// past, or, for a dump without numeric primary keys, the next of the store's counter (not in
/// a dry run). A user whose key is already another existing user's id is refused.
async fn give_ids(
    store: &DynamoStore,
    plan: &mut Plan,
    dry_run: bool,
) -> Result<(), authtoken::store::StoreError> {
    let taken = existing_ids(store).await?;
    let planned = std::mem::take(&mut plan.users);
    let origins = std::mem::take(&mut plan.origins);
    for (imported, origin) in planned.into_iter().zip(origins) {
        let user = &imported.user;
        let holder = user
            .id
            .and_then(|id| taken.get(&id))
            .filter(|holder| **holder != user.username);
        if let (Some(id), Some(holder)) = (user.id, holder) {
            plan.refused.push(Refusal {
                entry: origin.entry,
                what: format!("user {:?}", user.username),
                reason: format!("its id {id} (its primary key) is already the id of {holder:?}"),
            });
            continue;
        }
        plan.users.push(imported);
        plan.origins.push(origin);
    }
    plan.refused.sort_by_key(|refusal| refusal.entry);
    if dry_run {
        return Ok(());
    }
    if let Some(highest) = plan.highest_id {
        store.reserve_user_ids(highest).await?;
    }
    for imported in &mut plan.users {
        if imported.user.id.is_none() {
            imported.user.id = Some(store.allocate_user_id().await?);
        }
    }
    Ok(())
}

/// The ids of the users already stored, each with its user's name.
async fn existing_ids(
    store: &DynamoStore,
) -> Result<HashMap<u64, String>, authtoken::store::StoreError> {
    let mut ids = HashMap::new();
    let mut after = None;
    loop {
        let page = store.list_users(after.as_deref(), 1000).await?;
        for user in page.users {
            if let Some(id) = user.id {
                ids.insert(id, user.username);
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(ids),
        }
    }
}

/// Seals the per-user keys of `users`, planned in plain text, with the store's seal secret.
async fn seal_keys(store: &DynamoStore, users: &mut [Imported]) -> Result<(), Error> {
    for imported in users {
        let username = &imported.user.username;
        if let Some(current) = &mut imported.user.per_user_token
            && let KeptKey::Plain(key) = &current.key
        {
            let sealed = store
                .sealer()
                .seal(username, key)
                .await
                .map_err(|error| crate::context("cannot seal the imported keys", error))?;
            current.key = KeptKey::sealed(key, sealed);
        }
    }
    Ok(())
}

/// What the dump will become: the users to write, and the entries refused.
struct Plan {
    users: Vec<Imported>,
    /// Where each user to write comes from, in the same order.
    origins: Vec<Origin>,
    refused: Vec<Refusal>,
    /// Tokens of inactive users, left out: DRF refuses them, and here an inactive user holds
    /// no token.
    inactive_tokens: usize,
    /// The highest primary key of the dump's users, refused ones included: ids are drawn past
    /// it, so that a user imported later keeps theirs.
    highest_id: Option<u64>,
}

/// Where a user to write comes from.
#[derive(Clone, Copy)]
struct Origin {
    entry: usize,
    with_token: bool,
    unusable: bool,
}

/// Checks every entry and pairs each user with their token, under the policy in force.
fn plan(dump: Dump, settings: &Settings, unusable_unsupported: bool) -> Plan {
    let highest_id = dump.users.iter().filter_map(DumpedUser::id).max();
    let mut refused = dump.refused;
    let mut accepted: Vec<DumpedUser> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut refused_users = Vec::new();
    for mut user in dump.users {
        let refuse = |reason: String| Refusal {
            entry: user.entry,
            what: format!("user {:?}", user.username),
            reason,
        };
        // The name it is stored under (folded, when names match whatever their case).
        let stored = settings.usernames.key(&user.username).into_owned();
        if let Some(first) = seen.get(&stored) {
            refused.push(refuse(if stored == user.username {
                format!("the username is already in entry {first}")
            } else {
                format!(
                    "the username is already in entry {first}, in another case \
                     (USERNAME_CASE_INSENSITIVE=true)"
                )
            }));
            continue;
        }
        let could_match = authtoken::username::login_could_match(&stored);
        seen.insert(stored, user.entry);
        if !could_match {
            refused.push(refuse(
                "no login could match this username: it is empty, over 150 characters, has \
                 leading or trailing whitespace, or a control character"
                    .to_owned(),
            ));
            refused_users.push(user);
            continue;
        }
        match django_hash::kind(&user.password) {
            Kind::Native | Kind::Django(_) | Kind::Unusable => {
                if let Err(error) = django_hash::check_cost(&user.password) {
                    refused.push(refuse(format!(
                        "its password hash cannot be used: {error} (one login must stay well \
                         inside the function's timeout)"
                    )));
                    refused_users.push(user);
                    continue;
                }
            }
            Kind::Unsupported(_) if unusable_unsupported => {
                user.password = "!unsupported-hash".to_owned();
            }
            Kind::Unsupported(algorithm) => {
                let what = algorithm.map_or_else(
                    || "of no format authtoken knows".to_owned(),
                    |name| format!("{name:?}"),
                );
                refused.push(refuse(format!(
                    "its password hash is {what}, which authtoken cannot verify (it \
                     verifies pbkdf2_sha256, pbkdf2_sha1 and argon2); pass \
                     --unusable-unsupported to import such users with an unusable password"
                )));
                refused_users.push(user);
                continue;
            }
        }
        accepted.push(user);
    }
    let tokens = match_tokens(dump.tokens, &accepted, &refused_users, &mut refused);
    let mut users = Vec::new();
    let mut origins = Vec::new();
    let mut inactive_tokens = 0;
    for user in accepted {
        let mut token = tokens.get(&user.username).map(|token| NewToken {
            key: TokenKey::new(token.key.as_str()),
            created: token.created,
            expires: settings.token_ttl_seconds.map(|ttl| token.created + ttl),
        });
        if !user.active && token.take().is_some() {
            inactive_tokens += 1;
        }
        origins.push(Origin {
            entry: user.entry,
            with_token: token.is_some(),
            unusable: django_hash::kind(&user.password) == Kind::Unusable,
        });
        users.push(imported(user, token, settings));
    }
    refused.sort_by_key(|refusal| refusal.entry);
    Plan {
        users,
        origins,
        refused,
        inactive_tokens,
        highest_id,
    }
}

/// Each accepted user's token, by username; the tokens that cannot be imported are refused.
fn match_tokens(
    tokens: Vec<DumpedToken>,
    users: &[DumpedUser],
    refused_users: &[DumpedUser],
    refused: &mut Vec<Refusal>,
) -> HashMap<String, DumpedToken> {
    let by_pk: HashMap<String, &str> = users
        .iter()
        .filter_map(|user| Some((pk_text(user.pk.as_ref()?), user.username.as_str())))
        .collect();
    let mut matched: HashMap<String, DumpedToken> = HashMap::new();
    for token in tokens {
        let refuse = |reason: String| Refusal {
            entry: token.entry,
            what: dumpdata::TOKEN_MODEL.to_owned(),
            reason,
        };
        let owner = match &token.user {
            UserRef::Pk(pk) => by_pk.get(&pk_text(pk)).map(|name| (*name).to_owned()),
            UserRef::Username(name) => users
                .iter()
                .any(|user| &user.username == name)
                .then(|| name.clone()),
        };
        let Some(owner) = owner else {
            let named = match &token.user {
                UserRef::Pk(pk) => format!("pk {pk}"),
                UserRef::Username(name) => format!("{name:?}"),
            };
            let was_refused = refused_users.iter().any(|user| match &token.user {
                UserRef::Pk(pk) => user.pk.as_ref().map(pk_text) == Some(pk_text(pk)),
                UserRef::Username(name) => &user.username == name,
            });
            refused.push(refuse(if was_refused {
                format!("its user ({named}) is refused")
            } else {
                format!("its user ({named}) is not in the dump")
            }));
            continue;
        };
        if !TokenKey::new(token.key.as_str()).is_well_formed() {
            refused.push(refuse(format!(
                "the token of {owner:?} is not a key of DRF's form (40 hexadecimal characters)"
            )));
            continue;
        }
        if matched.contains_key(&owner) {
            refused.push(refuse(format!("{owner:?} already has a token in the dump")));
            continue;
        }
        matched.insert(owner, token);
    }
    matched
}

/// A primary key as text (`7` and `"7"` are the same user).
fn pk_text(pk: &Value) -> String {
    match pk {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The user as stored, with the token where the policy keeps it.
fn imported(user: DumpedUser, token: Option<NewToken>, settings: &Settings) -> Imported {
    let per_login = settings.token_policy.is_per_login();
    let (current, issued) = match &token {
        Some(token) if per_login => (
            None,
            vec![PerLoginToken {
                digest: token.key.digest(),
                expires: token.expires,
            }],
        ),
        Some(token) => (
            // Sealed before it is written (`seal_keys`).
            Some(PerUserToken {
                key: KeptKey::Plain(token.key.clone()),
                expires: token.expires,
            }),
            Vec::new(),
        ),
        None => (None, Vec::new()),
    };
    let id = user.id();
    Imported {
        user: User {
            username: settings.usernames.key(&user.username).into_owned(),
            password_hash: user.password,
            active: user.active,
            per_user_token: current,
            per_login_tokens: issued,
            created: user.joined.unwrap_or_else(clock::now),
            credentials: 0,
            id,
            email: user.email,
            link_nonce: None,
            awaiting_activation: false,
        },
        token,
    }
}

/// What the import did (or, with `--dry-run`, would do).
#[derive(Default)]
struct Report {
    created: usize,
    created_with_token: usize,
    created_unusable: usize,
    existing: Vec<String>,
    updated: usize,
    key_in_use: Vec<(usize, String)>,
}

impl Report {
    fn print(&self, plan: &Plan, args: &DjangoArgs) {
        let would = if args.dry_run { "would be " } else { "" };
        println!(
            "{} user(s) {would}created ({} with their token, {} with an unusable password)",
            self.created, self.created_with_token, self.created_unusable
        );
        if !self.existing.is_empty() {
            let (count, names) = (self.existing.len(), self.existing.join(", "));
            match (args.update, args.dry_run) {
                (false, _) => println!("{count} existing user(s) {would}left alone: {names}"),
                (true, true) => println!("{count} existing user(s) would be updated: {names}"),
                (true, false) => println!(
                    "{count} existing user(s), {} of them updated: {names}",
                    self.updated
                ),
            }
        }
        if plan.inactive_tokens > 0 {
            println!(
                "{} token(s) of inactive users {would}left out (DRF refuses them; here an \
                 inactive user holds no token)",
                plan.inactive_tokens
            );
        }
        for (entry, name) in &self.key_in_use {
            println!(
                "entry {entry} (user {name:?}): not created, its token's key is already in use"
            );
        }
        if !plan.refused.is_empty() {
            println!("{} entries refused:", plan.refused.len());
            for refusal in &plan.refused {
                println!(
                    "  entry {} ({}): {}",
                    refusal.entry, refusal.what, refusal.reason
                );
            }
        }
    }
}

/// Writes the plan (or, with `--dry-run`, reads what it would find), with progress on
/// standard error.
async fn write(
    store: &DynamoStore,
    settings: &Settings,
    plan: &Plan,
    args: &DjangoArgs,
) -> Result<Report, authtoken::store::StoreError> {
    let mut report = Report::default();
    let total = plan.users.len();
    let mut done = 0;
    for (chunk, origins) in plan
        .users
        .chunks(PROGRESS_EVERY)
        .zip(plan.origins.chunks(PROGRESS_EVERY))
    {
        let outcomes = if args.dry_run {
            let mut outcomes = Vec::new();
            for imported in chunk {
                outcomes.push(match store.user(&imported.user.username).await? {
                    Some(_) => ImportOutcome::UserExists,
                    None => ImportOutcome::Created,
                });
            }
            outcomes
        } else {
            store.import_users(chunk).await?
        };
        for ((imported, origin), outcome) in chunk.iter().zip(origins).zip(outcomes) {
            let name = &imported.user.username;
            match outcome {
                ImportOutcome::Created => {
                    if !args.dry_run {
                        audit::user_created(name, imported.user.active);
                        if origin.with_token {
                            audit::token_issued(name, Issuance::Import);
                        }
                    }
                    report.created += 1;
                    report.created_with_token += usize::from(origin.with_token);
                    report.created_unusable += usize::from(origin.unusable);
                }
                ImportOutcome::UserExists => {
                    report.existing.push(format!("{name:?}"));
                    if args.update && !args.dry_run && update(store, settings, imported).await? {
                        report.updated += 1;
                    }
                }
                ImportOutcome::KeyInUse => report.key_in_use.push((origin.entry, name.clone())),
            }
        }
        done += chunk.len();
        if total > PROGRESS_EVERY {
            eprintln!("import: {done}/{total} users");
        }
    }
    Ok(report)
}

/// `--update` for a user who exists: the dump's password hash (a new one revokes every token
/// of the user, as `user set-password` does, the dump's own included: they log in again) and
/// active flag, and, if the password did not change, the dump's token if they hold none.
/// Returns whether anything changed.
async fn update(
    store: &DynamoStore,
    settings: &Settings,
    imported: &Imported,
) -> Result<bool, authtoken::store::StoreError> {
    let name = &imported.user.username;
    let Some(mut current) = store.user(name).await? else {
        return Ok(false);
    };
    let (mut changed, mut password_changed) = (false, false);
    if current.password_hash != imported.user.password_hash {
        admin::set_password_hash(
            store,
            name,
            &imported.user.password_hash,
            admin::TokenOnReset::Revoke,
        )
        .await
        .map_err(into_store_error)?;
        changed = true;
        let Some(fresh) = store.user(name).await? else {
            return Ok(changed);
        };
        current = fresh;
        password_changed = true;
    }
    if current.active != imported.user.active {
        changed |= admin::set_active(store, name, imported.user.active)
            .await
            .map_err(into_store_error)?;
    }
    if let Some(token) = &imported.token
        && !password_changed
        && !current.holds_tokens()
        && imported.user.active
    {
        let installed = if settings.token_policy.is_per_login() {
            let change = authtoken::store::IssuedChange {
                new: Some(token.clone()),
                pruned: Vec::new(),
                at_most: None,
            };
            store.update_issued(&current, &change).await?
        } else {
            let sealed = store.sealer().seal(name, &token.key).await?;
            store
                .install_token(Installation {
                    username: name,
                    token,
                    sealed: &sealed,
                    replacing: None,
                    credentials: current.credentials,
                })
                .await?
        };
        changed |= installed;
    }
    Ok(changed)
}

/// An administration error during `--update`, as the store error it wraps (the others cannot
/// happen there: the user exists and is not being created).
fn into_store_error(error: admin::AdminError) -> authtoken::store::StoreError {
    match error {
        admin::AdminError::Store(error) => error,
        other => authtoken::store::StoreError::Failed(Box::new(other)),
    }
}
