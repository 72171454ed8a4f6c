//! The store: users and their tokens, behind one trait with two implementations that behave the
//! same way, DynamoDB for production and memory for tests and the local server.
//!
//! Every method is a single atomic step with conditions, so that concurrent requests cannot leave
//! a user pointing at a missing token or hand out two tokens for one user.

pub mod dynamo;
pub mod memory;
pub mod rounds;
#[cfg(test)]
pub(crate) mod unreachable;

use std::error::Error as StdError;
use std::future::Future;

use crate::lockout::Failures;
pub use crate::policy::MAX_TOKENS_PER_USER;

/// The most users [`Store::users_with_email`] returns for one address.
pub const MAX_USERS_PER_ADDRESS: usize = 20;
use crate::secrets::seal::{KeptKey, SealError, SealedKey, Sealer};
use crate::secrets::token::{TokenDigest, TokenKey};

/// A user account. Its `Debug` hides the password hash.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// The login name, compared exactly (case-sensitive).
    pub username: String,
    /// The argon2id PHC string of the password.
    pub password_hash: String,
    /// Inactive users cannot log in and hold no tokens.
    pub active: bool,
    /// The user's token under the per-user policy, if any (DRF: at most one per user), its key
    /// kept sealed so that the next login can hand it back. Stored as the user item's `token`
    /// (its digest) and `token_sealed`.
    pub per_user_token: Option<PerUserToken>,
    /// The user's tokens under the per-login policy, by digest only (their keys are stored
    /// nowhere). Stored as the user item's `tokens`.
    pub per_login_tokens: Vec<PerLoginToken>,
    /// When the account was created, in seconds since the epoch.
    pub created: u64,
    /// The version of the user's credentials: how many times their password was changed (a
    /// re-hash of the same password is not a change). A login's token is written on condition
    /// that it is still the version whose password the login verified, so that no token is
    /// issued to a password once its change is committed. 0 until the first change.
    pub credentials: u64,
    /// djoser's `id`: a number that never changes and no other user has, from the store's
    /// counter ([`Store::allocate_user_id`]) or, for a user imported from Django, their primary
    /// key. `None` for a user created before ids existed, until one is assigned
    /// ([`Store::assign_user_id`]).
    pub id: Option<u64>,
    /// The email address, `""` for none (Django's `email`).
    pub email: String,
    /// A random number naming the newest emailed link (a password reset) made for the user;
    /// `None` when there is none outstanding. The link's token is bound to it, so a newer link
    /// kills the older ones, and a login, which forgets it ([`Store::forget_link`]), kills the
    /// link.
    pub link_nonce: Option<u64>,
    /// Whether the user is inactive until they follow an activation link (registered, or given
    /// a new address, under `SEND_ACTIVATION_EMAIL`), rather than deactivated by an operator:
    /// only such a user is sent, and may use, an activation link.
    pub awaiting_activation: bool,
}

impl User {
    /// Whether the user holds any token, under either policy.
    pub fn holds_tokens(&self) -> bool {
        self.per_user_token.is_some() || !self.per_login_tokens.is_empty()
    }

    /// How many tokens the user holds, under either policy.
    pub fn token_count(&self) -> usize {
        self.per_login_tokens.len() + usize::from(self.per_user_token.is_some())
    }

    /// The digests of every token the user holds: the per-user key's, then the issued ones.
    pub fn token_digests(&self) -> Vec<TokenDigest> {
        let current = self.per_user_token.iter().map(|token| token.key.digest());
        current
            .chain(
                self.per_login_tokens
                    .iter()
                    .map(|issued| issued.digest.clone()),
            )
            .collect()
    }
}

impl std::fmt::Debug for User {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("User")
            .field("username", &self.username)
            .field("password_hash", &"[redacted]")
            .field("active", &self.active)
            .field("token", &self.per_user_token)
            .field("issued", &self.per_login_tokens)
            .field("created", &self.created)
            .field("credentials", &self.credentials)
            .field("id", &self.id)
            .field("email", &self.email)
            .finish()
    }
}

/// The token a user holds under the per-user policy (DRF's one token per user), as recorded on
/// the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerUserToken {
    /// The key, kept (sealed) so that the next login can hand the same one back.
    pub key: KeptKey,
    /// When it stops being valid, in seconds since the epoch; `None` = never.
    pub expires: Option<u64>,
}

/// A token issued under the per-login policy, as listed on its user: no key, only its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerLoginToken {
    /// The digest of the key, which is the token's record in the token-keyed table.
    pub digest: TokenDigest,
    /// When it stops being valid, in seconds since the epoch; `None` = never.
    pub expires: Option<u64>,
}

/// A per-user token to install on its user, and what the user must still be
/// ([`Store::install_token`]).
#[derive(Debug, Clone, Copy)]
pub struct Installation<'a> {
    /// The user's name.
    pub username: &'a str,
    /// The token to record.
    pub token: &'a NewToken,
    /// Its key, sealed by the store's sealer, as the user item keeps it.
    pub sealed: &'a SealedKey,
    /// The key the user must hold now, which the token replaces (`None`: no token).
    pub replacing: Option<&'a KeptKey>,
    /// The credentials version the user must still have (a password change in between
    /// refuses the installation).
    pub credentials: u64,
}

/// Most tokens one store step takes from a user, or lists on them: a transaction holds 100
/// actions, and each token costs one plus a condition on the user item.
pub const TOKENS_PER_STEP: usize = 50;

/// A change to a user's per-login tokens, made by [`Store::update_issued`].
#[derive(Debug, Clone)]
pub struct IssuedChange {
    /// A token to issue, if any.
    pub new: Option<NewToken>,
    /// Expired tokens to take off the user (and their records).
    pub pruned: Vec<TokenDigest>,
    /// The most tokens the user may list once the change is made (the per-login limit);
    /// `None` = no bound.
    pub at_most: Option<usize>,
}

/// Tokens to take from a user in one step, by [`Store::revoke_tokens`].
#[derive(Debug, Clone, Default)]
pub struct Revoked {
    /// The user's per-user key, if it is among them.
    pub key: Option<HeldKey>,
    /// Digests of their per-login tokens (at most [`TOKENS_PER_STEP`]).
    pub issued: Vec<TokenDigest>,
}

/// A per-user key as write conditions find it on its user: by its digest, as a sealed key is
/// kept, or by the key itself when it is known, as versions before sealing kept it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldKey {
    /// The digest of the key, which also names its record.
    pub digest: TokenDigest,
    /// The key, if known (presented by a client, or kept in plain text).
    pub key: Option<TokenKey>,
}

impl HeldKey {
    /// The key `kept` on a user, as read.
    pub fn kept(kept: &KeptKey) -> Self {
        match kept {
            KeptKey::Sealed { digest, .. } => Self {
                digest: digest.clone(),
                key: None,
            },
            KeptKey::Plain(key) => Self::presented(key),
        }
    }

    /// A key a client presented, whichever way its user keeps it.
    pub fn presented(key: &TokenKey) -> Self {
        Self {
            digest: key.digest(),
            key: Some(key.clone()),
        }
    }

    /// Whether `kept` is this key.
    pub fn is(&self, kept: &KeptKey) -> bool {
        let stored = kept.stored();
        stored == self.digest.as_str()
            || self.key.as_ref().is_some_and(|key| key.expose() == stored)
    }
}

/// A user to import (from another system) with their token, if any: `user` lists the token
/// where the policy in force keeps it (its key as `token`, or its digest among `issued`).
#[derive(Debug, Clone)]
pub struct Imported {
    /// The user, as they are to be stored.
    pub user: User,
    /// Their token's record, if they have one.
    pub token: Option<NewToken>,
}

/// What became of one user of [`Store::import_users`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Created, with their token.
    Created,
    /// A user of that name exists: left alone.
    UserExists,
    /// Their token's key is already another token's: nothing created.
    KeyInUse,
}

impl Revoked {
    /// The tokens `user` holds as read: their per-user key, and the first of their per-login
    /// tokens, so that at most `at_most` in all.
    pub fn held_by(user: &User, at_most: usize) -> Self {
        let key = user
            .per_user_token
            .as_ref()
            .map(|token| HeldKey::kept(&token.key));
        let room = at_most.saturating_sub(usize::from(key.is_some()));
        let issued = user
            .per_login_tokens
            .iter()
            .take(room)
            .map(|issued| issued.digest.clone())
            .collect();
        Self { key, issued }
    }

    /// How many tokens these are.
    pub fn count(&self) -> usize {
        self.issued.len() + usize::from(self.key.is_some())
    }
}

/// A per-user key to keep sealed anew ([`Store::reseal_key`]).
#[derive(Debug, Clone, Copy)]
pub struct Reseal<'a> {
    /// The user.
    pub username: &'a str,
    /// The key as the user item keeps it now, which it must still hold.
    pub read: &'a KeptKey,
    /// The key sealed anew.
    pub sealed: &'a SealedKey,
}

/// A user to rename ([`Store::rename_user`]).
#[derive(Debug, Clone, Copy)]
pub struct Rename<'a> {
    /// The user as read, who must still hold exactly its tokens and have its credentials.
    pub read: &'a User,
    /// The user as they are to be stored under their new name: no per-user key (its digest
    /// listed among the per-login tokens instead, since a sealed key is bound to its name), and
    /// only the tokens whose records exist.
    pub renamed: &'a User,
}

/// A token's expiry to move later ([`Store::extend_token`]), under sliding expiry.
#[derive(Debug, Clone, Copy)]
pub struct Extension<'a> {
    /// The token's user.
    pub username: &'a str,
    /// The token's key.
    pub key: &'a TokenKey,
    /// Its new expiry, in seconds since the epoch.
    pub expires: u64,
    /// Whether to look for the key among the user's per-login tokens before their per-user
    /// one (the policy in force), so that the usual case is one write.
    pub per_login_first: bool,
}

/// A user's password hash to replace ([`Store::replace_password_hash`]).
#[derive(Debug, Clone, Copy)]
pub struct HashReplacement<'a> {
    /// The user.
    pub username: &'a str,
    /// The hash the user must still have.
    pub old_hash: &'a str,
    /// The hash that replaces it.
    pub new_hash: &'a str,
    /// What the new hash is: the same password rehashed, or another password.
    pub change: PasswordChange,
}

/// What a new password hash is, for [`Store::replace_password_hash`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange {
    /// The same password, hashed anew (stronger parameters): the credentials stay as they are.
    Rehash,
    /// Another password: the credentials move to the next version.
    NewPassword,
}

/// The condition a login attempt must meet to be counted, and so to have its password checked
/// ([`Store::count_attempt`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptGate<'a> {
    /// Now, in seconds since the epoch: the attempt's time, stored as the last one's.
    pub now: u64,
    /// Attempts counted below this many pass the gate.
    pub threshold: u32,
    /// At or above the threshold, an attempt passes if the last one came at or before this
    /// time: the lock it set has ended.
    pub unlocked_before: u64,
    /// The attempt's source, if known and tracked: it is recorded among the count's sources,
    /// and passes the gate, whatever the threshold, if it is not among them yet while fewer
    /// than `account_threshold` attempts are counted.
    pub source: Option<&'a str>,
    /// See `source`.
    pub account_threshold: u32,
    /// When the count may be cleaned up (the TTL attribute's value).
    pub forget_at: u64,
}

/// What [`Store::count_attempt`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Counted: this many attempts are counted, this one included.
    Counted(u32),
    /// Not counted: the name is locked by these failures, as stored.
    Locked(Failures),
}

/// A token as recorded in the token-keyed table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// Whom the token authenticates.
    pub username: String,
    /// When it was issued, in seconds since the epoch.
    pub created: u64,
    /// When it stops being valid, in seconds since the epoch; `None` = never.
    pub expires: Option<u64>,
}

/// A token about to be issued.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The fresh key.
    pub key: TokenKey,
    /// Now, in seconds since the epoch.
    pub created: u64,
    /// When it will stop being valid, in seconds since the epoch; `None` = never.
    pub expires: Option<u64>,
}

/// True if something that expires at `expires` is still valid at `now` (both epoch seconds).
pub fn is_live(expires: Option<u64>, now: u64) -> bool {
    expires.is_none_or(|expires| now < expires)
}

/// The boxed cause of a store failure.
pub type Cause = Box<dyn StdError + Send + Sync>;

/// A store operation that did not complete. Conditions that were not met are not errors: the
/// methods report them in their `Ok` values.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A failure that may pass if retried later: throttling, a timeout, a refused connection,
    /// a server error. Clients get 503 with `Retry-After`.
    #[error("the store is temporarily unavailable")]
    Unavailable(#[source] Cause),
    /// A table does not exist (not created, or the wrong name configured).
    #[error("a table does not exist")]
    TableNotFound(#[source] Cause),
    /// A failure that retrying will not cure: no permission, no credentials, a bad item.
    #[error("the store failed")]
    Failed(#[source] Cause),
}

/// A seal secret that cannot be read fails the store operation that needed it, as the store
/// would: later, or for good.
impl From<SealError> for StoreError {
    fn from(error: SealError) -> Self {
        match error {
            SealError::Unavailable(_) => StoreError::Unavailable(Box::new(error)),
            _ => StoreError::Failed(Box::new(error)),
        }
    }
}

/// One page of [`Store::list_users`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPage {
    /// Users of this page.
    pub users: Vec<User>,
    /// Where the next page starts, or `None` after the last page.
    pub next: Option<String>,
}

/// Persistence of users and tokens. See the module documentation for the guarantees.
pub trait Store: Send + Sync {
    /// What seals the per-user keys this store keeps (so that its tables hold none in plain
    /// text) and opens them for the login that hands one back.
    fn sealer(&self) -> &Sealer;

    /// Reads a user, strongly consistently.
    fn user(&self, username: &str)
    -> impl Future<Output = Result<Option<User>, StoreError>> + Send;

    /// Reads a user and the failed logins of that name (see [`crate::lockout`]) together,
    /// strongly consistently, in one round trip.
    fn user_and_failures(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<(Option<User>, Option<Failures>), StoreError>> + Send;

    /// Counts one more login attempt of `username` (user or not) at `now`, before its password
    /// is checked, atomically, unless the name is locked: fewer than `gate.threshold` attempts
    /// are counted, or the last came before `gate.unlocked_before`. Concurrent attempts each
    /// count, and no more than the threshold's number pass the gate at once. The count may be
    /// cleaned up from `gate.forget_at` on.
    fn count_attempt(
        &self,
        username: &str,
        gate: &AttemptGate<'_>,
    ) -> impl Future<Output = Result<Attempt, StoreError>> + Send;

    /// Takes back one attempt counted under `key` (a login that succeeded), never below zero.
    fn forgive_attempt(&self, key: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Forgets the failed logins of `username`. `Ok(false)` if there were none.
    fn clear_failures(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Reads a token record by the key's digest, strongly consistently.
    fn token(
        &self,
        digest: &TokenDigest,
    ) -> impl Future<Output = Result<Option<TokenRecord>, StoreError>> + Send;

    /// Adds a user unless one with that name exists; `Ok(false)` if it does.
    /// The user must not hold a token.
    fn create_user(&self, user: &User) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A user id no other call has answered, nor any [`Store::reserve_user_ids`] reserved: the
    /// next of an atomic counter, from 1.
    fn allocate_user_id(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Makes every later [`Store::allocate_user_id`] answer more than `through` (the ids of
    /// users imported with their own).
    fn reserve_user_ids(&self, through: u64)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Gives `username` the id `id`, provided they exist and have none. `Ok(false)` if not.
    fn assign_user_id(
        &self,
        username: &str,
        id: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Sets the user's email address, provided they exist. `Ok(false)` if not.
    fn set_email(
        &self,
        username: &str,
        email: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Creates each user with their token, each user in one atomic step with their token (both
    /// or neither), unless the name or the key is taken; in as few round trips as the store
    /// allows. Returns each user's outcome, in order.
    fn import_users(
        &self,
        users: &[Imported],
    ) -> impl Future<Output = Result<Vec<ImportOutcome>, StoreError>> + Send;

    /// In one atomic step, records the installation's token as the current (per-user) token of
    /// its user, its key kept as sealed ([`Store::sealer`]'s), and deletes the record of the
    /// token it replaces, provided the user exists, is active, holds exactly the key it
    /// replaces (`None`: no token), and still has the credentials version given. `Ok(false)` if
    /// any of that did not hold.
    fn install_token(
        &self,
        installation: Installation<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Keeps a user's per-user key, as read, sealed anew instead (under the current secret, or
    /// for the first time), provided the user still holds it. `Ok(false)` if not.
    fn reseal_key(
        &self,
        reseal: Reseal<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// In one atomic step, applies `change` to `read`'s per-login tokens and moves their
    /// per-user key, if any, among them (it stays valid; only its plaintext goes), provided the
    /// user is active, still has the credentials of `read`, still holds the per-user key of
    /// `read` (or none), still lists each pruned
    /// token, will list no more than `change.at_most` tokens, and, if `read` listed none, still
    /// lists none. `Ok(false)` if not. Other logins and logouts of the user meanwhile do not make
    /// it fail (unless they bring the user to the bound): under no limit, concurrent logins
    /// never wait on each other.
    fn update_issued(
        &self,
        read: &User,
        change: &IssuedChange,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// In one atomic step, moves the expiry of the extension's token to its new expiry, on its
    /// record and on the user (their per-user key, or the key's per-login entry), provided the
    /// token expires earlier (a token that never expires is left so) and the user holds it.
    /// `Ok(false)` if nothing was moved.
    fn extend_token(
        &self,
        extension: Extension<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// In one atomic step, deletes the records of `revoked` and takes them off `username`,
    /// provided the user holds every one of them and no other user owns one of their records (a
    /// record already gone, as DynamoDB's TTL sweep leaves an expired one, is no obstacle).
    /// `Ok(false)` if not (already deleted).
    fn revoke_tokens(
        &self,
        username: &str,
        revoked: &Revoked,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// In one atomic step, sets whether the user is active (an operator's decision: the user no
    /// longer awaits activation either way); deactivating also deletes every
    /// token of the user and its record. Provided the user exists and holds exactly the tokens
    /// of `read` (at most [`TOKENS_PER_STEP`] issued); `Ok(false)` if not.
    fn set_active(
        &self,
        read: &User,
        active: bool,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// In one atomic step, sets the user's email address and deactivates them awaiting
    /// activation, deleting every token of theirs and its record (a new address waits for its
    /// activation link), provided
    /// they exist and hold exactly the tokens of `read` (at most [`TOKENS_PER_STEP`] issued).
    /// `Ok(false)` if not.
    fn deactivate_readdressed(
        &self,
        read: &User,
        email: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Activates the user an activation link was checked against (`read`), provided they exist,
    /// are inactive awaiting activation and still have `read`'s credentials, address and newest
    /// link. `Ok(false)` if not.
    fn activate_linked(&self, read: &User)
    -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// In one atomic step, deletes the user and the records of their tokens, provided the user
    /// exists and holds exactly the tokens of `read` (at most [`TOKENS_PER_STEP`] issued).
    /// `Ok(false)` if not.
    fn delete_user(&self, read: &User) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// In one atomic step, stores `rename.renamed` under its new name (which must be free),
    /// deletes the user under the old one (provided they hold exactly the tokens of
    /// `rename.read`, at most [`TOKENS_PER_STEP`] issued, and still have its credentials), and
    /// makes every token `renamed` holds, whose record must still be the old name's, the new
    /// name's. `Ok(false)` if any of that did not hold.
    fn rename_user(
        &self,
        rename: Rename<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The records of `digests` that exist (for listing a user's tokens).
    fn token_records(
        &self,
        digests: &[TokenDigest],
    ) -> impl Future<Output = Result<Vec<(TokenDigest, TokenRecord)>, StoreError>> + Send;

    /// The users whose email address is `address` whatever its case (Django's `iexact`),
    /// active or not, at most [`MAX_USERS_PER_ADDRESS`], each as stored now.
    fn users_with_email(
        &self,
        address: &str,
    ) -> impl Future<Output = Result<Vec<User>, StoreError>> + Send;

    /// Records that `username` is the user with `id`, so that [`Store::user_with_id`] finds
    /// them; written before a link that carries the id is sent (a rename leaves it pointing at
    /// the old name, and the next link points it again).
    fn point_id(
        &self,
        id: u64,
        username: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The user with `id`, if [`Store::point_id`] recorded them and they have that id still.
    fn user_with_id(
        &self,
        id: u64,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;

    /// Records `nonce` as the user's newest link ([`User::link_nonce`]), provided they exist
    /// with `read`'s credentials version. `Ok(false)` if not.
    fn stamp_link(
        &self,
        read: &User,
        nonce: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Forgets the user's link, provided it is still `nonce` (a login kills it). `Ok(false)` if
    /// not.
    fn forget_link(
        &self,
        username: &str,
        nonce: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Up to `limit` users after `after` (a [`UserPage::next`] from the previous page).
    fn list_users(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<UserPage, StoreError>> + Send;

    /// In one atomic step, sets the user's password hash, moves their credentials to the next
    /// version, and deletes every token of the user and its record, provided the user exists,
    /// still has the credentials of `read` and holds exactly its tokens (at most
    /// [`TOKENS_PER_STEP`] issued). `Ok(false)` if not.
    fn reset_password(
        &self,
        read: &User,
        new_hash: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Replaces a user's password hash, provided it is still the replacement's old one; a
    /// [`PasswordChange::NewPassword`] also moves the credentials to the next version, so that
    /// logins that verified the old password issue no token. `Ok(false)` if not.
    fn replace_password_hash(
        &self,
        replacement: HashReplacement<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_debug_shows_no_password_hash_and_no_key() {
        let user = User {
            username: "ann".into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into(),
            active: true,
            per_user_token: Some(PerUserToken {
                key: KeptKey::Plain(TokenKey::new("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")),
                expires: None,
            }),
            per_login_tokens: Vec::new(),
            created: 0,
            credentials: 0,
            id: Some(1),
            email: String::new(),
            link_nonce: None,
            awaiting_activation: false,
        };
        let text = format!("{user:?} {:?}", Some(&user));
        assert!(
            text.contains("\"ann\"") && text.contains("[redacted]"),
            "{text}"
        );
        assert!(
            !text.contains("argon2id") && !text.contains("aGFzaGhhc2g"),
            "{text}"
        );
        assert!(!text.contains("9944b091"), "{text}");
    }
}
