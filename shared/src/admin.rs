//! Administration of users and tokens (the `authtoken user ...` and `authtoken token ...`
//! commands): the same store, the same invariants and the same write paths as the endpoints.
//!
//! Each write is one conditional store step. When another writer changes the user between our
//! read and our write, the condition fails and the operation reads again, a bounded number of
//! times ([`crate::store::rounds`]), so that, for instance, a deactivation never leaves a token
//! behind.

use crate::accounts::deletion::{self, Deletion};
pub use crate::accounts::password::TokenOnReset;
use crate::accounts::password::{NewPassword, PasswordSet};
use crate::accounts::rename::{self, Renaming};
use crate::accounts::sessions;
pub use crate::accounts::sessions::TokenInfo;
use crate::audit::{self, Changer, Issuance, Revocation};
use crate::clock;
use crate::config::Settings;
use crate::email;
use crate::secrets::password::{self, Password, PasswordError};
use crate::secrets::seal::Opened;
use crate::secrets::token::TokenKey;
use crate::store::rounds::{self, Round};
use crate::store::{
    Installation, IssuedChange, NewToken, Revoked, Store, StoreError, User, UserPage,
};
use crate::tokens::revoke;
use crate::tokens::{self, Ensured, Granted};
use crate::username::{InvalidUsername, NameCase, Username};

/// Why an administrative operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No user has that name.
    #[error("there is no user named {0:?}")]
    NotFound(String),
    /// A user with that name exists.
    #[error("a user named {0:?} already exists")]
    Exists(String),
    /// Under the per-login policy, the user holds as many live tokens as it allows.
    #[error("the user {0:?} holds the most tokens TOKEN_LIMIT_PER_USER allows")]
    TokenLimit(String),
    /// The user holds several tokens and the command did not say which to revoke.
    #[error(
        "the user {0:?} holds {1} tokens: pass --all, or --digest with a prefix that `authtoken token list {0}` shows"
    )]
    WhichToken(String, usize),
    /// No token of the user has a digest starting with the given prefix, or several have.
    #[error("no single token of {0:?} has a digest starting with {1:?}")]
    NoSuchDigest(String, String),
    /// The user is inactive, and inactive users hold no tokens.
    #[error("the user {0:?} is inactive: run `authtoken user activate {0}` first")]
    Inactive(String),
    /// The email address is not one Django accepts.
    #[error("{0:?} is not a valid email address (Django's EmailValidator refuses it)")]
    InvalidEmail(String),
    /// The name is empty, too long, has surrounding whitespace (which login trims away) or a
    /// control character: no login could ever match it.
    #[error(transparent)]
    InvalidUsername(#[from] InvalidUsername),
    /// The password could not be hashed (too long, or the hasher failed).
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// The key chosen for a user is not of an issued key's form.
    #[error(
        "the key is not of an issued key's form (40 lower-case hex characters, or atk_ and 36 base62 characters with their checksum)"
    )]
    MalformedKey,
    /// The key chosen for a user is another user's, or already this user's.
    #[error("the key is in use already")]
    KeyInUse,
    /// Other writers kept changing the user; try again.
    #[error("the user {0:?} kept changing during the operation; try again")]
    Contention(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates a user with a freshly hashed password, under the normalized name
/// ([`Username::parse`]), which it returns.
pub async fn create_user(
    store: &impl Store,
    name: &str,
    password: Password,
    active: bool,
) -> Result<String, AdminError> {
    let account = NewAccount {
        name,
        email: "",
        active,
        names: NameCase::Sensitive,
    };
    create_account(store, account, password).await
}

/// A user an operator creates ([`create_account`]).
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    /// The name as typed.
    pub name: &'a str,
    /// The email address (`""` for none), which must be one Django's `EmailValidator` accepts.
    pub email: &'a str,
    /// Whether the user may log in.
    pub active: bool,
    /// Whether names match regardless of case (the name is then stored folded).
    pub names: NameCase,
}

/// Creates a user with a freshly hashed password, under the name it is stored as
/// ([`Username::parse`]), which it returns.
pub async fn create_account(
    store: &impl Store,
    account: NewAccount<'_>,
    password: Password,
) -> Result<String, AdminError> {
    let NewAccount {
        name,
        email,
        active,
        names,
    } = account;
    let username = Username::parse(name, names)?.into_string();
    if !email.is_empty() && !email::is_valid(email) {
        return Err(AdminError::InvalidEmail(email.to_owned()));
    }
    let password_hash = password::hash_in_background(password).await?;
    let user = User {
        username: username.clone(),
        password_hash,
        active,
        per_user_token: None,
        per_login_tokens: Vec::new(),
        created: clock::now(),
        credentials: 0,
        id: Some(store.allocate_user_id().await?),
        email: email.to_owned(),
        link_nonce: None,
        awaiting_activation: false,
    };
    if store.create_user(&user).await? {
        audit::user_created(&username, active);
        Ok(username)
    } else {
        Err(AdminError::Exists(username))
    }
}

/// Replaces a user's password and, with [`TokenOnReset::Revoke`], deletes every token of the
/// user in the same step. Returns how many tokens were revoked. Either way, a login that
/// verified the old password issues no token once this is done.
pub async fn set_password(
    store: &impl Store,
    username: &str,
    password: Password,
    token: TokenOnReset,
) -> Result<usize, AdminError> {
    let new_hash = password::hash_in_background(password).await?;
    set_password_hash(store, username, &new_hash, token).await
}

/// [`set_password`] with the new password already hashed (an import from another system).
pub async fn set_password_hash(
    store: &impl Store,
    username: &str,
    new_hash: &str,
    tokens: TokenOnReset,
) -> Result<usize, AdminError> {
    let new = NewPassword {
        hash: new_hash,
        tokens,
        by: Changer::Operator,
        verified: None,
    };
    match crate::accounts::password::set_password_hash(store, username, new).await? {
        PasswordSet::Set { revoked } => Ok(revoked),
        PasswordSet::NoSuchUser => Err(AdminError::NotFound(username.to_owned())),
        // An operator's change rests on no verified password: only contention stops it.
        PasswordSet::NoLongerVerified | PasswordSet::Contention => {
            Err(AdminError::Contention(username.to_owned()))
        }
    }
}

/// Activates or deactivates a user; deactivating deletes every token of the user in the same
/// step, so an inactive user never holds a valid token, and ends their wait for activation, so
/// that no activation link of theirs works. Returns false if the user already was so.
pub async fn set_active(
    store: &impl Store,
    username: &str,
    active: bool,
) -> Result<bool, AdminError> {
    settle(username, |()| async move {
        let mut user = existing(store, username).await?;
        if user.active == active && (active || (!user.holds_tokens() && !user.awaiting_activation))
        {
            return Ok(Round::Done(false));
        }
        if !active {
            user = shed(store, user, Revocation::Deactivation).await?;
        }
        if !store.set_active(&user, active).await? {
            return Ok(Round::Lost(()));
        }
        audit::user_activation_changed(username, active, Changer::Operator);
        if !active && user.holds_tokens() {
            audit::token_revoked(username, Revocation::Deactivation, user.token_count());
        }
        Ok(Round::Done(true))
    })
    .await
}

/// Forgets the failed logins of a username, user or not, which ends its lock at once. Returns
/// false if it had none.
pub async fn unlock(store: &impl Store, username: &str) -> Result<bool, AdminError> {
    let cleared = store.clear_failures(username).await?;
    audit::user_unlocked(username, cleared);
    Ok(cleared)
}

/// Deletes a user and every token of the user, the last step with the user.
pub async fn delete_user(store: &impl Store, username: &str) -> Result<(), AdminError> {
    match deletion::delete_user(store, username, Changer::Operator).await? {
        Deletion::Deleted { .. } => Ok(()),
        Deletion::NoSuchUser => Err(AdminError::NotFound(username.to_owned())),
        Deletion::Contention => Err(AdminError::Contention(username.to_owned())),
    }
}

/// Renames the user `username` to `new_name` (stored as [`Username::parse`] makes it under
/// `names`), active or not, with every token of theirs ([`crate::accounts::rename`]). Returns
/// the name stored.
pub async fn rename_user(
    store: &impl Store,
    username: &str,
    new_name: &str,
    names: NameCase,
) -> Result<String, AdminError> {
    let new_name = Username::parse(new_name, names)?.into_string();
    match rename::rename_for_operator(store, username, &new_name).await? {
        Renaming::Renamed => Ok(new_name),
        Renaming::Taken => Err(AdminError::Exists(new_name)),
        Renaming::NoSuchUser => Err(AdminError::NotFound(username.to_owned())),
        // An operator's rename rests on no verified password: only contention stops it.
        Renaming::NoLongerVerified | Renaming::Contention => {
            Err(AdminError::Contention(username.to_owned()))
        }
    }
}

/// One page of users (see [`Store::list_users`]).
pub async fn list_users(
    store: &impl Store,
    after: Option<&str>,
    limit: u32,
) -> Result<UserPage, AdminError> {
    Ok(store.list_users(after, limit).await?)
}

/// A token for the user, under the policy in force. Per-user (DRF's `drf_create_token`): the
/// current one, or a new one if they have none or it expired; with `reset`, always a new one in
/// place of the current one. Per-login: a new one, within the policy's limit.
pub async fn issue_token(
    store: &impl Store,
    settings: &Settings,
    username: &str,
    reset: bool,
) -> Result<Granted, AdminError> {
    let user = existing(store, username).await?;
    if !user.active {
        return Err(AdminError::Inactive(username.to_owned()));
    }
    let issuer = tokens::Issuer::Operator {
        issuance: Issuance::Admin,
        reset,
    };
    match tokens::issue_token(store, settings, user, issuer).await? {
        Ensured::Token(granted) => Ok(granted),
        Ensured::LimitReached => Err(AdminError::TokenLimit(username.to_owned())),
        Ensured::UserUnavailable => match store.user(username).await? {
            Some(_) => Err(AdminError::Inactive(username.to_owned())),
            None => Err(AdminError::NotFound(username.to_owned())),
        },
        Ensured::Contention => Err(AdminError::Contention(username.to_owned())),
    }
}

/// Installs `key`, chosen by the caller, as `username`'s per-user token (never expiring unless
/// `TOKEN_TTL_SECONDS` says otherwise), replacing their current one (if it is their token
/// already, nothing changes): for local tables that must
/// match a key known in advance (the events that `sam local invoke` replays carry one). The CLI
/// offers it only for an endpoint on this machine: a key anybody has read is no secret.
pub async fn install_key(
    store: &impl Store,
    settings: &Settings,
    username: &str,
    key: &TokenKey,
) -> Result<(), AdminError> {
    if !key.is_well_formed() {
        return Err(AdminError::MalformedKey);
    }
    let installed = settle(username, |()| async move {
        let user = existing(store, username).await?;
        if !user.active {
            return Err(AdminError::Inactive(username.to_owned()));
        }
        match store.token(&key.digest()).await? {
            // Installed already: nothing to do.
            Some(record)
                if record.username == username
                    && user
                        .per_user_token
                        .as_ref()
                        .is_some_and(|current| current.key.digest() == key.digest()) =>
            {
                return Ok(Round::Done(()));
            }
            Some(_) => return Err(AdminError::KeyInUse),
            None => {}
        }
        let now = clock::now();
        let token = NewToken {
            key: key.clone(),
            created: now,
            expires: settings.token_ttl_seconds.map(|ttl| now + ttl),
        };
        let sealed = store
            .sealer()
            .seal(username, key)
            .await
            .map_err(StoreError::from)?;
        let installation = Installation {
            username,
            token: &token,
            sealed: &sealed,
            replacing: user.per_user_token.as_ref().map(|current| &current.key),
            credentials: user.credentials,
        };
        if store.install_token(installation).await? {
            Ok(Round::Done(()))
        } else {
            Ok(Round::Lost(()))
        }
    })
    .await;
    installed?;
    audit::token_issued(username, Issuance::Admin);
    Ok(())
}

/// Which of a user's tokens to revoke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhichTokens {
    /// Their one token: refused if they hold several.
    Only,
    /// Every one.
    All,
    /// The one whose digest starts with this prefix (as [`list_tokens`] shows it).
    Digest(String),
}

/// Deletes tokens of the user; returns how many.
pub async fn revoke_tokens(
    store: &impl Store,
    username: &str,
    which: &WhichTokens,
) -> Result<usize, AdminError> {
    if *which == WhichTokens::All {
        return revoke::revoke_all(store, username, Revocation::Admin)
            .await?
            .ok_or_else(|| AdminError::Contention(username.to_owned()));
    }
    settle(username, |()| async move {
        let user = existing(store, username).await?;
        let revoked = match which {
            WhichTokens::Only if user.token_count() > 1 => {
                return Err(AdminError::WhichToken(
                    username.to_owned(),
                    user.token_count(),
                ));
            }
            WhichTokens::Only | WhichTokens::All => Revoked::held_by(&user, usize::MAX),
            WhichTokens::Digest(prefix) => sessions::by_digest(&user, prefix)
                .ok_or_else(|| AdminError::NoSuchDigest(username.to_owned(), prefix.clone()))?,
        };
        let count = revoked.count();
        if count == 0 {
            return Ok(Round::Done(0));
        }
        if !store.revoke_tokens(username, &revoked).await? {
            return Ok(Round::Lost(()));
        }
        audit::token_revoked(username, Revocation::Admin, count);
        Ok(Round::Done(count))
    })
    .await
}

/// The user's tokens, oldest first, expired ones included until they are cleaned up.
pub async fn list_tokens(store: &impl Store, username: &str) -> Result<Vec<TokenInfo>, AdminError> {
    let user = existing(store, username).await?;
    Ok(sessions::list(store, &user).await?)
}

/// Removes the user's per-user key from their item, if they hold one: the token stays valid,
/// listed by its digest alone, as the per-login policy keeps tokens. Returns whether there was
/// a key. (A per-login login does the same for its user.)
pub async fn forget_key(store: &impl Store, username: &str) -> Result<bool, AdminError> {
    settle(username, |()| async move {
        let user = existing(store, username).await?;
        if user.per_user_token.is_none() {
            return Ok(Round::Done(false));
        }
        let change = IssuedChange {
            new: None,
            pruned: Vec::new(),
            at_most: None,
        };
        if !store.update_issued(&user, &change).await? {
            return Ok(Round::Lost(()));
        }
        Ok(Round::Done(true))
    })
    .await
}

/// What [`seal_key`] found, or did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealing {
    /// The user holds no per-user key.
    NoKey,
    /// Their key is sealed under the current secret already.
    Current,
    /// Their key, kept in plain text or under the previous secret, is now sealed under the
    /// current one.
    Resealed,
    /// Their key cannot be opened (sealed under a secret no longer known, or altered): it
    /// still authenticates, and their next login replaces it.
    Lost,
}

/// Seals the user's per-user key under the current seal secret, if it is kept in plain text
/// (by a version before sealing) or under the previous secret.
pub async fn seal_key(store: &impl Store, username: &str) -> Result<Sealing, AdminError> {
    settle(username, |()| async move {
        let user = existing(store, username).await?;
        let Some(current) = &user.per_user_token else {
            return Ok(Round::Done(Sealing::NoKey));
        };
        let opened = store
            .sealer()
            .open(username, &current.key)
            .await
            .map_err(StoreError::from)?;
        Ok(match opened {
            Opened::Current(_) => Round::Done(Sealing::Current),
            Opened::Lost => Round::Done(Sealing::Lost),
            Opened::Stale(key) => {
                if tokens::reseal(store, username, &current.key, &key).await? {
                    Round::Done(Sealing::Resealed)
                } else {
                    Round::Lost(())
                }
            }
        })
    })
    .await
}

/// [`rounds::settle`] for an operation on `username`, whose rounds all losing is contention.
async fn settle<T, Next>(username: &str, round: impl FnMut(()) -> Next) -> Result<T, AdminError>
where
    Next: Future<Output = Result<Round<T>, AdminError>>,
{
    rounds::settle((), round)
        .await?
        .ok_or_else(|| AdminError::Contention(username.to_owned()))
}

async fn existing(store: &impl Store, username: &str) -> Result<User, AdminError> {
    store
        .user(username)
        .await?
        .ok_or_else(|| AdminError::NotFound(username.to_owned()))
}

/// `user` with at most one step's worth of tokens left ([`revoke::shed`]).
async fn shed(store: &impl Store, user: User, by: Revocation) -> Result<User, AdminError> {
    let username = user.username.clone();
    revoke::shed(store, user, by)
        .await?
        .ok_or(AdminError::Contention(username))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory::MemoryStore;

    async fn store_with(username: &str, active: bool) -> MemoryStore {
        let store = MemoryStore::new();
        create_user(&store, username, Password::new("pw"), active)
            .await
            .unwrap();
        store
    }

    /// ann, active, holding a per-user token: the store and her key.
    async fn ann_with_a_token() -> (MemoryStore, crate::secrets::token::TokenKey) {
        let store = store_with("ann", true).await;
        let key = issue_token(&store, &Settings::default(), "ann", false)
            .await
            .unwrap()
            .key;
        (store, key)
    }

    /// The user `key` authenticates, with the default settings.
    async fn user_of(store: &MemoryStore, key: &crate::secrets::token::TokenKey) -> Option<String> {
        tokens::authenticate(store, &Settings::default(), key)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn usernames_that_login_could_not_match_are_not_created() {
        let store = MemoryStore::new();
        let overlong = "a".repeat(crate::username::MAX_CHARS + 1);
        let names = [
            "",
            " admin",
            "admin\t",
            "admin\u{3000}",
            "\u{1f}admin",
            "ad\u{0}min",
            "ad\u{7}min",
            "ad\nmin",
            &overlong,
        ];
        for name in names {
            let outcome = create_user(&store, name, Password::new("pw"), true).await;
            assert!(
                matches!(outcome, Err(AdminError::InvalidUsername(_))),
                "{name:?}: {outcome:?}"
            );
        }
        create_user(
            &store,
            &"a".repeat(crate::username::MAX_CHARS),
            Password::new("pw"),
            true,
        )
        .await
        .expect("the longest allowed name");
    }

    #[tokio::test]
    async fn usernames_are_stored_in_nfkc_as_django_normalizes_them() {
        let store = MemoryStore::new();
        for (typed, stored) in [
            ("\u{ff46}\u{ff4f}\u{ff4f}", "foo"),
            ("\u{fb01}le", "file"),
            ("\u{212b}ngstr\u{f6}m", "\u{c5}ngstr\u{f6}m"),
            ("e\u{301}lodie", "\u{e9}lodie"),
            ("alice", "alice"),
        ] {
            let name = create_user(&store, typed, Password::new("pw"), true).await;
            assert_eq!(name.unwrap(), stored, "{typed:?}");
            assert!(store.user(stored).await.unwrap().is_some());
        }
        let again = create_user(&store, "\u{ff46}oo", Password::new("pw"), true).await;
        assert!(matches!(again, Err(AdminError::Exists(name)) if name == "foo"));
    }

    #[tokio::test]
    async fn deactivating_deletes_the_token_and_activating_gives_none_back() {
        let store = store_with("ann", true).await;
        let key = issue_token(&store, &Settings::default(), "ann", false)
            .await
            .unwrap()
            .key;
        assert!(set_active(&store, "ann", false).await.unwrap());
        assert_eq!(user_of(&store, &key).await.as_deref(), None);
        assert!(
            !set_active(&store, "ann", false).await.unwrap(),
            "already inactive"
        );
        assert!(set_active(&store, "ann", true).await.unwrap());
        assert_eq!(
            store.user("ann").await.unwrap().unwrap().per_user_token,
            None
        );
    }

    #[tokio::test]
    async fn issue_token_returns_the_current_token_unless_reset() {
        let store = store_with("ann", true).await;
        let settings = Settings::default();
        let first = issue_token(&store, &settings, "ann", false)
            .await
            .unwrap()
            .key;
        assert_eq!(
            issue_token(&store, &settings, "ann", false)
                .await
                .unwrap()
                .key,
            first
        );
        let reset = issue_token(&store, &settings, "ann", true)
            .await
            .unwrap()
            .key;
        assert_ne!(reset, first);
        assert_eq!(user_of(&store, &first).await.as_deref(), None);
        assert_eq!(user_of(&store, &reset).await.as_deref(), Some("ann"));
    }

    #[tokio::test]
    async fn inactive_and_unknown_users_get_no_token() {
        let store = store_with("ann", false).await;
        let settings = Settings::default();
        let inactive = issue_token(&store, &settings, "ann", false).await;
        assert!(
            matches!(inactive, Err(AdminError::Inactive(_))),
            "{inactive:?}"
        );
        let unknown = issue_token(&store, &settings, "bob", false).await;
        assert!(
            matches!(unknown, Err(AdminError::NotFound(_))),
            "{unknown:?}"
        );
    }

    #[tokio::test]
    async fn deleting_a_user_deletes_their_token() {
        let store = store_with("ann", true).await;
        let key = issue_token(&store, &Settings::default(), "ann", false)
            .await
            .unwrap()
            .key;
        delete_user(&store, "ann").await.unwrap();
        assert_eq!(store.token(&key.digest()).await.unwrap(), None);
        assert!(matches!(
            delete_user(&store, "ann").await,
            Err(AdminError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn revoking_reports_whether_there_was_a_token() {
        let store = store_with("ann", true).await;
        assert_eq!(
            revoke_tokens(&store, "ann", &WhichTokens::Only)
                .await
                .unwrap(),
            0
        );
        let key = issue_token(&store, &Settings::default(), "ann", false)
            .await
            .unwrap()
            .key;
        assert_eq!(
            revoke_tokens(&store, "ann", &WhichTokens::Only)
                .await
                .unwrap(),
            1
        );
        assert_eq!(user_of(&store, &key).await.as_deref(), None);
    }

    #[tokio::test]
    async fn a_new_password_replaces_the_old_one_and_revokes_the_token() {
        let (store, key) = ann_with_a_token().await;
        let settings = Settings::default();
        let revoked = set_password(&store, "ann", Password::new("new pw"), TokenOnReset::Revoke)
            .await
            .unwrap();
        assert_eq!(revoked, 1);
        assert_eq!(user_of(&store, &key).await.as_deref(), None);
        assert_eq!(
            store.user("ann").await.unwrap().unwrap().per_user_token,
            None
        );
        let login =
            crate::login::obtain_token(&store, &settings, "ann", Password::new("new pw")).await;
        assert_ne!(login.unwrap().key, key);
        let old = crate::login::obtain_token(&store, &settings, "ann", Password::new("pw")).await;
        assert!(matches!(
            old,
            Err(crate::login::LoginError::InvalidCredentials)
        ));
        let again = set_password(&store, "ann", Password::new("pw 3"), TokenOnReset::Revoke);
        assert_eq!(
            again.await.unwrap(),
            1,
            "the new login's token is revoked too"
        );
    }

    #[tokio::test]
    async fn keeping_the_token_is_drfs_behaviour() {
        let (store, key) = ann_with_a_token().await;
        let settings = Settings::default();
        let revoked = set_password(&store, "ann", Password::new("new pw"), TokenOnReset::Keep)
            .await
            .unwrap();
        assert_eq!(revoked, 0);
        assert_eq!(user_of(&store, &key).await.as_deref(), Some("ann"));
        let login =
            crate::login::obtain_token(&store, &settings, "ann", Password::new("new pw")).await;
        assert_eq!(login.unwrap().key, key);
    }

    #[tokio::test]
    async fn users_are_listed_page_by_page() {
        let store = MemoryStore::new();
        for name in ["c", "a", "b"] {
            create_user(&store, name, Password::new("pw"), true)
                .await
                .unwrap();
        }
        let first = list_users(&store, None, 2).await.unwrap();
        let names: Vec<_> = first.users.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let second = list_users(&store, first.next.as_deref(), 2).await.unwrap();
        let names: Vec<_> = second.users.iter().map(|u| u.username.as_str()).collect();
        assert_eq!(names, ["c"]);
        assert_eq!(second.next, None);
    }
}
