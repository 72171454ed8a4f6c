//! A store that lets a test put another writer's step at an exact point of a request: just
//! before the request's token write (a login that has verified the password and is about to
//! issue its token), which no timing-based test can hit reliably.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use authtoken::lockout::Failures;
use authtoken::secrets::seal::Sealer;
use authtoken::secrets::token::TokenDigest;
use authtoken::store::{
    Attempt, AttemptGate, Extension, HashReplacement, ImportOutcome, Imported, Installation,
    IssuedChange, Reseal, Revoked, Store, StoreError, TokenRecord, User, UserPage,
};

/// A step run on the inner store.
type Step<S> = Box<dyn FnOnce(Arc<S>) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// Passes every call to `inner`, but runs `step` on it first, once, at the first token write
/// (`install_token` or `update_issued`).
pub struct BeforeTokenWrite<S> {
    inner: Arc<S>,
    step: Mutex<Option<Step<S>>>,
}

impl<S: Store + 'static> BeforeTokenWrite<S> {
    /// `inner`, with `step` to run on it before the first token write.
    pub fn new<F, Fut>(inner: Arc<S>, step: F) -> Self
    where
        F: FnOnce(Arc<S>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let step: Step<S> = Box::new(move |store| Box::pin(step(store)));
        Self {
            inner,
            step: Mutex::new(Some(step)),
        }
    }

    /// Whether the step has run.
    pub fn stepped(&self) -> bool {
        self.step.lock().unwrap().is_none()
    }

    async fn step_once(&self) {
        let step = self.step.lock().unwrap().take();
        if let Some(step) = step {
            step(Arc::clone(&self.inner)).await;
        }
    }
}

impl<S: Store + 'static> Store for BeforeTokenWrite<S> {
    fn sealer(&self) -> &Sealer {
        self.inner.sealer()
    }
    async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.inner.user(username).await
    }
    async fn users_with_email(&self, address: &str) -> Result<Vec<User>, StoreError> {
        self.inner.users_with_email(address).await
    }
    async fn point_id(&self, id: u64, username: &str) -> Result<(), StoreError> {
        self.inner.point_id(id, username).await
    }
    async fn user_with_id(&self, id: u64) -> Result<Option<User>, StoreError> {
        self.inner.user_with_id(id).await
    }
    async fn stamp_link(&self, read: &User, at: u64) -> Result<bool, StoreError> {
        self.inner.stamp_link(read, at).await
    }
    async fn forget_link(&self, username: &str, at: u64) -> Result<bool, StoreError> {
        self.inner.forget_link(username, at).await
    }
    async fn allocate_user_id(&self) -> Result<u64, StoreError> {
        self.inner.allocate_user_id().await
    }
    async fn reserve_user_ids(&self, through: u64) -> Result<(), StoreError> {
        self.inner.reserve_user_ids(through).await
    }
    async fn assign_user_id(&self, username: &str, id: u64) -> Result<bool, StoreError> {
        self.inner.assign_user_id(username, id).await
    }
    async fn set_email(&self, username: &str, email: &str) -> Result<bool, StoreError> {
        self.inner.set_email(username, email).await
    }
    async fn rename_user(&self, rename: authtoken::store::Rename<'_>) -> Result<bool, StoreError> {
        self.inner.rename_user(rename).await
    }
    async fn user_and_failures(
        &self,
        username: &str,
    ) -> Result<(Option<User>, Option<Failures>), StoreError> {
        self.inner.user_and_failures(username).await
    }
    async fn count_attempt(
        &self,
        username: &str,
        gate: &AttemptGate<'_>,
    ) -> Result<Attempt, StoreError> {
        self.inner.count_attempt(username, gate).await
    }
    async fn forgive_attempt(&self, key: &str) -> Result<(), StoreError> {
        self.inner.forgive_attempt(key).await
    }
    async fn clear_failures(&self, username: &str) -> Result<bool, StoreError> {
        self.inner.clear_failures(username).await
    }
    async fn token(&self, digest: &TokenDigest) -> Result<Option<TokenRecord>, StoreError> {
        self.inner.token(digest).await
    }
    async fn create_user(&self, user: &User) -> Result<bool, StoreError> {
        self.inner.create_user(user).await
    }
    async fn import_users(&self, users: &[Imported]) -> Result<Vec<ImportOutcome>, StoreError> {
        self.inner.import_users(users).await
    }
    async fn install_token(&self, installation: Installation<'_>) -> Result<bool, StoreError> {
        self.step_once().await;
        self.inner.install_token(installation).await
    }
    async fn reseal_key(&self, reseal: Reseal<'_>) -> Result<bool, StoreError> {
        self.inner.reseal_key(reseal).await
    }
    async fn update_issued(&self, read: &User, change: &IssuedChange) -> Result<bool, StoreError> {
        self.step_once().await;
        self.inner.update_issued(read, change).await
    }
    async fn extend_token(&self, extension: Extension<'_>) -> Result<bool, StoreError> {
        self.inner.extend_token(extension).await
    }
    async fn revoke_tokens(&self, username: &str, revoked: &Revoked) -> Result<bool, StoreError> {
        self.inner.revoke_tokens(username, revoked).await
    }
    async fn set_active(&self, read: &User, active: bool) -> Result<bool, StoreError> {
        self.inner.set_active(read, active).await
    }
    async fn delete_user(&self, read: &User) -> Result<bool, StoreError> {
        self.inner.delete_user(read).await
    }
    async fn deactivate_readdressed(&self, read: &User, email: &str) -> Result<bool, StoreError> {
        self.inner.deactivate_readdressed(read, email).await
    }
    async fn activate_linked(&self, read: &User) -> Result<bool, StoreError> {
        self.inner.activate_linked(read).await
    }
    async fn token_records(
        &self,
        digests: &[TokenDigest],
    ) -> Result<Vec<(TokenDigest, TokenRecord)>, StoreError> {
        self.inner.token_records(digests).await
    }
    async fn list_users(&self, after: Option<&str>, limit: u32) -> Result<UserPage, StoreError> {
        self.inner.list_users(after, limit).await
    }
    async fn reset_password(&self, read: &User, new_hash: &str) -> Result<bool, StoreError> {
        self.inner.reset_password(read, new_hash).await
    }
    async fn replace_password_hash(
        &self,
        replacement: HashReplacement<'_>,
    ) -> Result<bool, StoreError> {
        self.inner.replace_password_hash(replacement).await
    }
}
