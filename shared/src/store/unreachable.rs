//! A store that fails every call, for unit tests: a test that uses it proves that no call was
//! made.

use super::{
    Attempt, AttemptGate, Extension, HashReplacement, ImportOutcome, Imported, Installation,
    IssuedChange, Reseal, Revoked, Store, StoreError, TokenRecord, User, UserPage,
};
use crate::lockout::Failures;
use crate::secrets::seal::Sealer;
use crate::secrets::token::TokenDigest;

/// Its sealer: none.
static NO_SEALER: std::sync::LazyLock<Sealer> = std::sync::LazyLock::new(Sealer::unconfigured);

/// Fails every call.
pub(crate) struct UnreachableStore;

fn unreachable() -> StoreError {
    StoreError::Failed("the store was called".into())
}

impl Store for UnreachableStore {
    fn sealer(&self) -> &Sealer {
        &NO_SEALER
    }
    async fn reseal_key(&self, _: Reseal<'_>) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn user(&self, _: &str) -> Result<Option<User>, StoreError> {
        Err(unreachable())
    }
    async fn users_with_email(&self, _: &str) -> Result<Vec<User>, StoreError> {
        Err(unreachable())
    }
    async fn point_id(&self, _: u64, _: &str) -> Result<(), StoreError> {
        Err(unreachable())
    }
    async fn user_with_id(&self, _: u64) -> Result<Option<User>, StoreError> {
        Err(unreachable())
    }
    async fn stamp_link(&self, _: &User, _: u64) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn forget_link(&self, _: &str, _: u64) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn token(&self, _: &TokenDigest) -> Result<Option<TokenRecord>, StoreError> {
        Err(unreachable())
    }
    async fn user_and_failures(
        &self,
        _: &str,
    ) -> Result<(Option<User>, Option<Failures>), StoreError> {
        Err(unreachable())
    }
    async fn count_attempt(&self, _: &str, _: &AttemptGate<'_>) -> Result<Attempt, StoreError> {
        Err(unreachable())
    }
    async fn forgive_attempt(&self, _: &str) -> Result<(), StoreError> {
        Err(unreachable())
    }
    async fn clear_failures(&self, _: &str) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn create_user(&self, _: &User) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn allocate_user_id(&self) -> Result<u64, StoreError> {
        Err(unreachable())
    }
    async fn reserve_user_ids(&self, _: u64) -> Result<(), StoreError> {
        Err(unreachable())
    }
    async fn assign_user_id(&self, _: &str, _: u64) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn set_email(&self, _: &str, _: &str) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn rename_user(&self, _: crate::store::Rename<'_>) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn import_users(&self, _: &[Imported]) -> Result<Vec<ImportOutcome>, StoreError> {
        Err(unreachable())
    }
    async fn install_token(&self, _: Installation<'_>) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn update_issued(&self, _: &User, _: &IssuedChange) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn extend_token(&self, _: Extension<'_>) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn revoke_tokens(&self, _: &str, _: &Revoked) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn token_records(
        &self,
        _: &[TokenDigest],
    ) -> Result<Vec<(TokenDigest, TokenRecord)>, StoreError> {
        Err(unreachable())
    }
    async fn replace_password_hash(&self, _: HashReplacement<'_>) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn reset_password(&self, _: &User, _: &str) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn set_active(&self, _: &User, _: bool) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn deactivate_readdressed(&self, _: &User, _: &str) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn activate_linked(&self, _: &User) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn delete_user(&self, _: &User) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn list_users(&self, _: Option<&str>, _: u32) -> Result<UserPage, StoreError> {
        Err(unreachable())
    }
}
