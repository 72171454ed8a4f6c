//! An in-process store with the same semantics as the DynamoDB one: every method takes one lock,
//! checks its conditions and applies all of its writes, or none.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::{CurrentToken, NewToken, Store, StoreError, TokenRecord, User, UserPage};
use crate::lockout::Failures;
use crate::token::{TokenDigest, TokenKey};

/// Users and tokens in memory; lost when the process exits.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    users: HashMap<String, User>,
    tokens: HashMap<TokenDigest, TokenRecord>,
    /// Failed logins per submitted username; like DynamoDB's before its TTL sweep, a count is
    /// kept until a success or an unlock clears it.
    failures: HashMap<String, Failures>,
}

impl State {
    /// Whether `username` exists and holds exactly `current` (no token if `None`): the memory
    /// twin of the DynamoDB store's `holding_exactly` condition.
    fn holds_exactly(&self, username: &str, current: Option<&TokenKey>) -> bool {
        self.users
            .get(username)
            .is_some_and(|user| user.token.as_ref().map(|t| &t.key) == current)
    }

    /// Deletes `username`'s token `key` (if any) and its record.
    fn drop_token(&mut self, username: &str, key: Option<&TokenKey>) {
        if let Some(user) = self.users.get_mut(username) {
            user.token = None;
        }
        if let Some(key) = key {
            self.tokens.remove(&key.digest());
        }
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
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
            state.failures.get(username).copied(),
        ))
    }

    async fn record_failure(
        &self,
        username: &str,
        now: u64,
        _forget_at: u64,
    ) -> Result<u32, StoreError> {
        let mut state = self.state();
        let failures = state
            .failures
            .entry(username.to_owned())
            .or_insert(Failures {
                count: 0,
                last: now,
            });
        failures.count = failures.count.saturating_add(1);
        failures.last = now;
        Ok(failures.count)
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

    async fn install_token(
        &self,
        username: &str,
        token: &NewToken,
        replacing: Option<&TokenKey>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        let digest = token.key.digest();
        let active = state.users.get(username).is_some_and(|user| user.active);
        if !active
            || !state.holds_exactly(username, replacing)
            || state.tokens.contains_key(&digest)
        {
            return Ok(false);
        }
        state.drop_token(username, replacing);
        state.tokens.insert(
            digest,
            TokenRecord {
                username: username.to_owned(),
                created: token.created,
                expires: token.expires,
            },
        );
        if let Some(user) = state.users.get_mut(username) {
            user.token = Some(CurrentToken {
                key: token.key.clone(),
                expires: token.expires,
            });
        }
        Ok(true)
    }

    async fn delete_token(&self, username: &str, key: &TokenKey) -> Result<bool, StoreError> {
        let mut state = self.state();
        let digest = key.digest();
        let record_matches = state
            .tokens
            .get(&digest)
            .is_some_and(|record| record.username == username);
        let user_matches = state
            .users
            .get(username)
            .and_then(|user| user.token.as_ref())
            .is_some_and(|current| &current.key == key);
        if !(record_matches && user_matches) {
            return Ok(false);
        }
        state.tokens.remove(&digest);
        if let Some(user) = state.users.get_mut(username) {
            user.token = None;
        }
        Ok(true)
    }

    async fn set_active(
        &self,
        username: &str,
        active: bool,
        current_token: Option<&TokenKey>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        if !state.holds_exactly(username, current_token) {
            return Ok(false);
        }
        if let Some(user) = state.users.get_mut(username) {
            user.active = active;
        }
        if !active {
            state.drop_token(username, current_token);
        }
        Ok(true)
    }

    async fn delete_user(
        &self,
        username: &str,
        current_token: Option<&TokenKey>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        if !state.holds_exactly(username, current_token) {
            return Ok(false);
        }
        state.drop_token(username, current_token);
        state.users.remove(username);
        Ok(true)
    }

    async fn reset_password(
        &self,
        username: &str,
        current_token: Option<&TokenKey>,
        new_hash: &str,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        if !state.holds_exactly(username, current_token) {
            return Ok(false);
        }
        if let Some(user) = state.users.get_mut(username) {
            user.password_hash = new_hash.to_owned();
        }
        state.drop_token(username, current_token);
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
        username: &str,
        old_hash: &str,
        new_hash: &str,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state.users.get_mut(username) {
            Some(user) if user.password_hash == old_hash => {
                user.password_hash = new_hash.to_owned();
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
