//! An in-process store with the same semantics as the DynamoDB one: every method takes one lock,
//! checks its conditions and applies all of its writes, or none.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::{
    Attempt, AttemptGate, Extension, HashReplacement, ImportOutcome, Imported, Installation,
    IssuedChange, NewToken, PasswordChange, PerLoginToken, PerUserToken, Rename, Reseal, Revoked,
    Store, StoreError, TOKENS_PER_STEP, TokenRecord, User, UserPage,
};
use crate::lockout::Failures;
use crate::secrets::seal::{KeptKey, Sealer};
use crate::secrets::token::TokenDigest;

/// Users and tokens in memory; lost when the process exits. Per-user keys are kept sealed as
/// in DynamoDB, under a random key of the store's own unless one is given.
#[derive(Debug)]
pub struct MemoryStore {
    state: Mutex<State>,
    sealer: Sealer,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_sealer(Sealer::ephemeral())
    }
}

#[derive(Debug, Default)]
struct State {
    users: HashMap<String, User>,
    tokens: HashMap<TokenDigest, TokenRecord>,
    /// Failed logins per submitted username; like DynamoDB's before its TTL sweep, a count is
    /// kept until a success or an unlock clears it.
    failures: HashMap<String, Failures>,
    /// The last user id handed out or reserved (0: none yet).
    last_user_id: u64,
    /// Each id's pointer ([`Store::point_id`]): the name recorded for it.
    id_pointers: HashMap<u64, String>,
}

impl State {
    /// Whether `username` exists and holds exactly `current` as its per-user token (no token if
    /// `None`): the memory twin of the DynamoDB store's condition on the key, which compares
    /// what is kept in the key's place (not how it is sealed).
    fn holds_key(&self, username: &str, current: Option<&KeptKey>) -> bool {
        self.users.get(username).is_some_and(|user| {
            user.per_user_token.as_ref().map(|t| t.key.stored()) == current.map(KeptKey::stored)
        })
    }

    /// Whether the user of `read` exists and holds exactly its tokens, under both policies:
    /// the twin of the DynamoDB store's `holding_exactly` condition.
    fn holds_as_read(&self, read: &User) -> bool {
        let current = read.per_user_token.as_ref().map(|token| &token.key);
        self.holds_key(&read.username, current)
            && self.users[&read.username].per_login_tokens.len() == read.per_login_tokens.len()
            && read
                .per_login_tokens
                .iter()
                .all(|issued| self.issues(&read.username, &issued.digest))
    }

    /// Whether `username` holds the per-login token `digest`.
    fn issues(&self, username: &str, digest: &TokenDigest) -> bool {
        self.users.get(username).is_some_and(|user| {
            user.per_login_tokens
                .iter()
                .any(|issued| &issued.digest == digest)
        })
    }

    /// Deletes every token of `username`, under both policies, and their records.
    fn drop_all_tokens(&mut self, username: &str) {
        let Some(user) = self.users.get_mut(username) else {
            return;
        };
        let digests = user.token_digests();
        user.per_user_token = None;
        user.per_login_tokens.clear();
        for digest in digests {
            self.tokens.remove(&digest);
        }
    }

    /// Records `token` as `username`'s.
    fn record(&mut self, username: &str, token: &NewToken) {
        self.tokens.insert(
            token.key.digest(),
            TokenRecord {
                username: username.to_owned(),
                created: token.created,
                expires: token.expires,
            },
        );
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store whose per-user keys `sealer` seals.
    pub fn with_sealer(sealer: Sealer) -> Self {
        Self {
            state: Mutex::default(),
            sealer,
        }
    }

    /// Deletes the record of `digest` alone, as DynamoDB's TTL sweep deletes an expired token's
    /// record while its user still lists it; `false` if there was none. For tests that need
    /// that state.
    pub fn sweep(&self, digest: &TokenDigest) -> bool {
        self.state().tokens.remove(digest).is_some()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held cannot have left a half-applied write: every method
        // checks all of its conditions before its first write.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Store for MemoryStore {
    fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    async fn users_with_email(&self, address: &str) -> Result<Vec<User>, StoreError> {
        let key = crate::email::folded(address);
        let mut users: Vec<User> = self
            .state()
            .users
            .values()
            .filter(|user| !user.email.is_empty() && crate::email::folded(&user.email) == key)
            .cloned()
            .collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        users.truncate(super::MAX_USERS_PER_ADDRESS);
        Ok(users)
    }

    async fn point_id(&self, id: u64, username: &str) -> Result<(), StoreError> {
        self.state().id_pointers.insert(id, username.to_owned());
        Ok(())
    }

    async fn user_with_id(&self, id: u64) -> Result<Option<User>, StoreError> {
        let state = self.state();
        Ok(state
            .id_pointers
            .get(&id)
            .and_then(|username| state.users.get(username))
            .filter(|user| user.id == Some(id))
            .cloned())
    }

    async fn stamp_link(&self, read: &User, nonce: u64) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state.users.get_mut(&read.username) {
            Some(user) if user.credentials == read.credentials => {
                user.link_nonce = Some(nonce);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn forget_link(&self, username: &str, nonce: u64) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state.users.get_mut(username) {
            Some(user) if user.link_nonce == Some(nonce) => {
                user.link_nonce = None;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        Ok(self.state().users.get(username).cloned())
    }

    async fn user_and_failures(
        &self,
        username: &str,
    ) -> Result<(Option<User>, Option<Failures>), StoreError> {
        let state = self.state();
        Ok((
            state.users.get(username).cloned(),
            state.failures.get(username).cloned(),
        ))
    }

    async fn count_attempt(
        &self,
        username: &str,
        gate: &AttemptGate<'_>,
    ) -> Result<Attempt, StoreError> {
        let mut state = self.state();
        if let Some(failures) = state.failures.get(username) {
            let clean_source = gate.source.is_some_and(|source| {
                !failures.sources.iter().any(|s| s == source)
                    && failures.count < gate.account_threshold
            });
            if failures.count >= gate.threshold
                && failures.last > gate.unlocked_before
                && !clean_source
            {
                return Ok(Attempt::Locked(failures.clone()));
            }
        }
        let failures = state.failures.entry(username.to_owned()).or_default();
        failures.count = failures.count.saturating_add(1);
        failures.last = gate.now;
        if let Some(source) = gate.source
            && !failures.sources.iter().any(|s| s == source)
        {
            failures.sources.push(source.to_owned());
        }
        Ok(Attempt::Counted(failures.count))
    }

    async fn forgive_attempt(&self, key: &str) -> Result<(), StoreError> {
        if let Some(failures) = self.state().failures.get_mut(key) {
            failures.count = failures.count.saturating_sub(1);
        }
        Ok(())
    }

    async fn clear_failures(&self, username: &str) -> Result<bool, StoreError> {
        Ok(self.state().failures.remove(username).is_some())
    }

    async fn token(&self, digest: &TokenDigest) -> Result<Option<TokenRecord>, StoreError> {
        Ok(self.state().tokens.get(digest).cloned())
    }

    async fn create_user(&self, user: &User) -> Result<bool, StoreError> {
        let mut state = self.state();
        if state.users.contains_key(&user.username) {
            return Ok(false);
        }
        state.users.insert(user.username.clone(), user.clone());
        Ok(true)
    }

    async fn allocate_user_id(&self) -> Result<u64, StoreError> {
        let mut state = self.state();
        state.last_user_id += 1;
        Ok(state.last_user_id)
    }

    async fn reserve_user_ids(&self, through: u64) -> Result<(), StoreError> {
        let mut state = self.state();
        state.last_user_id = state.last_user_id.max(through);
        Ok(())
    }

    async fn assign_user_id(&self, username: &str, id: u64) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state.users.get_mut(username) {
            Some(user) if user.id.is_none() => {
                user.id = Some(id);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn set_email(&self, username: &str, email: &str) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state.users.get_mut(username) {
            Some(user) => {
                email.clone_into(&mut user.email);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn import_users(&self, users: &[Imported]) -> Result<Vec<ImportOutcome>, StoreError> {
        let mut state = self.state();
        let mut outcomes = Vec::with_capacity(users.len());
        for imported in users {
            let username = &imported.user.username;
            let outcome = if state.users.contains_key(username) {
                ImportOutcome::UserExists
            } else if imported
                .token
                .as_ref()
                .is_some_and(|token| state.tokens.contains_key(&token.key.digest()))
            {
                ImportOutcome::KeyInUse
            } else {
                if let Some(token) = &imported.token {
                    state.record(username, token);
                }
                state.users.insert(username.clone(), imported.user.clone());
                ImportOutcome::Created
            };
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    async fn install_token(&self, new: Installation<'_>) -> Result<bool, StoreError> {
        let mut state = self.state();
        let active = state
            .users
            .get(new.username)
            .is_some_and(|user| user.active && user.credentials == new.credentials);
        if !active
            || !state.holds_key(new.username, new.replacing)
            || state.tokens.contains_key(&new.token.key.digest())
        {
            return Ok(false);
        }
        if let Some(old) = new.replacing {
            state.tokens.remove(&old.digest());
        }
        state.record(new.username, new.token);
        if let Some(user) = state.users.get_mut(new.username) {
            user.per_user_token = Some(PerUserToken {
                key: KeptKey::sealed(&new.token.key, new.sealed.clone()),
                expires: new.token.expires,
            });
        }
        Ok(true)
    }

    async fn reseal_key(&self, reseal: Reseal<'_>) -> Result<bool, StoreError> {
        let mut state = self.state();
        if !state.holds_key(reseal.username, Some(reseal.read)) {
            return Ok(false);
        }
        let Some(current) = state
            .users
            .get_mut(reseal.username)
            .and_then(|user| user.per_user_token.as_mut())
        else {
            return Ok(false);
        };
        current.key = KeptKey::Sealed {
            digest: reseal.read.digest(),
            sealed: reseal.sealed.clone(),
        };
        Ok(true)
    }

    async fn update_issued(&self, read: &User, change: &IssuedChange) -> Result<bool, StoreError> {
        let mut state = self.state();
        let username = &read.username;
        let current = read.per_user_token.as_ref().map(|token| &token.key);
        let fresh = change
            .new
            .as_ref()
            .is_none_or(|token| !state.tokens.contains_key(&token.key.digest()));
        let Some(user) = state
            .users
            .get(username)
            .filter(|user| user.active && user.credentials == read.credentials)
        else {
            return Ok(false);
        };
        let added = usize::from(read.per_user_token.is_some()) + usize::from(change.new.is_some());
        let listed_after =
            (user.per_login_tokens.len() + added).saturating_sub(change.pruned.len());
        let allowed = (!read.per_login_tokens.is_empty() || user.per_login_tokens.is_empty())
            && change
                .pruned
                .iter()
                .all(|digest| state.issues(username, digest))
            && change.at_most.is_none_or(|at_most| listed_after <= at_most);
        if !state.holds_key(username, current) || !allowed || !fresh {
            return Ok(false);
        }
        for digest in &change.pruned {
            state.tokens.remove(digest);
        }
        if let Some(token) = &change.new {
            state.record(username, token);
        }
        let Some(user) = state.users.get_mut(username) else {
            return Ok(false);
        };
        user.per_login_tokens
            .retain(|issued| !change.pruned.contains(&issued.digest));
        if let Some(moved) = user.per_user_token.take() {
            user.per_login_tokens.push(PerLoginToken {
                digest: moved.key.digest(),
                expires: moved.expires,
            });
        }
        if let Some(token) = &change.new {
            user.per_login_tokens.push(PerLoginToken {
                digest: token.key.digest(),
                expires: token.expires,
            });
        }
        Ok(true)
    }

    async fn extend_token(&self, extension: Extension<'_>) -> Result<bool, StoreError> {
        let mut state = self.state();
        let digest = extension.key.digest();
        let extends = state.tokens.get(&digest).is_some_and(|record| {
            record.username == extension.username
                && record
                    .expires
                    .is_some_and(|current| current < extension.expires)
        });
        let Some(user) = state.users.get_mut(extension.username).filter(|_| extends) else {
            return Ok(false);
        };
        if let Some(current) = user
            .per_user_token
            .as_mut()
            .filter(|token| token.key.digest() == digest)
        {
            current.expires = Some(extension.expires);
        } else if let Some(issued) = user
            .per_login_tokens
            .iter_mut()
            .find(|i| i.digest == digest)
        {
            issued.expires = Some(extension.expires);
        } else {
            return Ok(false);
        }
        if let Some(record) = state.tokens.get_mut(&digest) {
            record.expires = Some(extension.expires);
        }
        Ok(true)
    }

    async fn revoke_tokens(&self, username: &str, revoked: &Revoked) -> Result<bool, StoreError> {
        let mut state = self.state();
        // A record already swept away is a token already revoked (as on DynamoDB).
        let owns = |digest: &TokenDigest| {
            state
                .tokens
                .get(digest)
                .is_none_or(|record| record.username == username)
        };
        let key_held = revoked.key.as_ref().is_none_or(|held| {
            let user_holds = state.users.get(username).is_some_and(|user| {
                user.per_user_token
                    .as_ref()
                    .is_some_and(|token| held.is(&token.key))
            });
            user_holds && owns(&held.digest)
        });
        let issued_held = revoked
            .issued
            .iter()
            .all(|digest| state.issues(username, digest) && owns(digest));
        if !key_held || !issued_held {
            return Ok(false);
        }
        let Some(user) = state.users.get_mut(username) else {
            return Ok(false);
        };
        if revoked.key.is_some() {
            user.per_user_token = None;
        }
        user.per_login_tokens
            .retain(|issued| !revoked.issued.contains(&issued.digest));
        let digests = revoked.key.iter().map(|held| held.digest.clone());
        for digest in digests
            .chain(revoked.issued.iter().cloned())
            .collect::<Vec<_>>()
        {
            state.tokens.remove(&digest);
        }
        Ok(true)
    }

    async fn set_active(&self, read: &User, active: bool) -> Result<bool, StoreError> {
        let mut state = self.state();
        if read.per_login_tokens.len() > TOKENS_PER_STEP || !state.holds_as_read(read) {
            return Ok(false);
        }
        if !active {
            state.drop_all_tokens(&read.username);
        }
        if let Some(user) = state.users.get_mut(&read.username) {
            user.active = active;
            user.awaiting_activation = false;
        }
        Ok(true)
    }

    async fn deactivate_readdressed(&self, read: &User, email: &str) -> Result<bool, StoreError> {
        let mut state = self.state();
        if read.per_login_tokens.len() > TOKENS_PER_STEP || !state.holds_as_read(read) {
            return Ok(false);
        }
        state.drop_all_tokens(&read.username);
        if let Some(user) = state.users.get_mut(&read.username) {
            user.active = false;
            user.awaiting_activation = true;
            email.clone_into(&mut user.email);
        }
        Ok(true)
    }

    async fn activate_linked(&self, read: &User) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state.users.get_mut(&read.username) {
            Some(user)
                if !user.active
                    && user.awaiting_activation
                    && user.credentials == read.credentials
                    && user.email == read.email
                    && user.link_nonce == read.link_nonce =>
            {
                user.active = true;
                user.awaiting_activation = false;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn delete_user(&self, read: &User) -> Result<bool, StoreError> {
        let mut state = self.state();
        if read.per_login_tokens.len() > TOKENS_PER_STEP || !state.holds_as_read(read) {
            return Ok(false);
        }
        state.drop_all_tokens(&read.username);
        state.users.remove(&read.username);
        Ok(true)
    }

    async fn rename_user(&self, rename: Rename<'_>) -> Result<bool, StoreError> {
        let Rename { read, renamed } = rename;
        let mut state = self.state();
        let same_credentials = state
            .users
            .get(&read.username)
            .is_some_and(|user| user.credentials == read.credentials);
        let records_are_old_names = renamed.token_digests().iter().all(|digest| {
            state
                .tokens
                .get(digest)
                .is_some_and(|record| record.username == read.username)
        });
        if read.per_login_tokens.len() > TOKENS_PER_STEP
            || !same_credentials
            || !state.holds_as_read(read)
            || state.users.contains_key(&renamed.username)
            || !records_are_old_names
        {
            return Ok(false);
        }
        for digest in renamed.token_digests() {
            if let Some(record) = state.tokens.get_mut(&digest) {
                record.username.clone_from(&renamed.username);
            }
        }
        state.users.remove(&read.username);
        state
            .users
            .insert(renamed.username.clone(), renamed.clone());
        Ok(true)
    }

    async fn token_records(
        &self,
        digests: &[TokenDigest],
    ) -> Result<Vec<(TokenDigest, TokenRecord)>, StoreError> {
        let state = self.state();
        Ok(digests
            .iter()
            .filter_map(|digest| Some((digest.clone(), state.tokens.get(digest)?.clone())))
            .collect())
    }

    async fn reset_password(&self, read: &User, new_hash: &str) -> Result<bool, StoreError> {
        let mut state = self.state();
        let same_credentials = state
            .users
            .get(&read.username)
            .is_some_and(|user| user.credentials == read.credentials);
        if read.per_login_tokens.len() > TOKENS_PER_STEP
            || !state.holds_as_read(read)
            || !same_credentials
        {
            return Ok(false);
        }
        state.drop_all_tokens(&read.username);
        if let Some(user) = state.users.get_mut(&read.username) {
            user.password_hash = new_hash.to_owned();
            user.credentials = read.credentials + 1;
        }
        Ok(true)
    }

    async fn list_users(&self, after: Option<&str>, limit: u32) -> Result<UserPage, StoreError> {
        let state = self.state();
        let mut names: Vec<&String> = state
            .users
            .keys()
            .filter(|name| after.is_none_or(|after| name.as_str() > after))
            .collect();
        names.sort();
        let limit = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
        let next = (names.len() > limit).then(|| names[limit - 1].clone());
        let users = names
            .into_iter()
            .take(limit)
            .map(|name| state.users[name].clone())
            .collect();
        Ok(UserPage { users, next })
    }

    async fn replace_password_hash(
        &self,
        replacement: HashReplacement<'_>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state.users.get_mut(replacement.username) {
            Some(user) if user.password_hash == replacement.old_hash => {
                user.password_hash = replacement.new_hash.to_owned();
                if replacement.change == PasswordChange::NewPassword {
                    user.credentials += 1;
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
