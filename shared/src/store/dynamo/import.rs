//! Importing users with their tokens ([`crate::store::Store::import_users`]): transactions of up
//! to [`CHUNK`] users, each user's item and token record put together on condition that neither
//! exists. A transaction refused because some names or keys are taken says which, in its
//! cancellation reasons: those users are reported and the others put again without them.

use std::time::Duration;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use super::DynamoStore;
use super::errors::{Cancellation, cancellation, classify};
use super::items::{self, USERNAME};
use crate::store::{ImportOutcome, Imported, StoreError};

/// Users per transaction: two items each, and a transaction holds 100.
pub(super) const CHUNK: usize = 50;

/// Transactions a chunk may lose to throttling or to other transactions before the import
/// gives up (the SDK retries throttled requests itself, but not cancelled transactions).
const TRANSIENT_ATTEMPTS: u32 = 4;

/// A chunk's users that some other transaction left no outcome for.
#[derive(Debug, thiserror::Error)]
#[error("the import's transactions kept being cancelled by other writes")]
struct KeptCancelled;

impl DynamoStore {
    /// Imports at most [`CHUNK`] users, as [`crate::store::Store::import_users`] says.
    pub(super) async fn import_chunk(
        &self,
        users: &[Imported],
    ) -> Result<Vec<ImportOutcome>, StoreError> {
        let mut outcomes: Vec<Option<ImportOutcome>> = vec![None; users.len()];
        let mut transient = 0;
        // Each refused round settles at least one user; the rest are transient rounds.
        for _ in 0..=users.len() + TRANSIENT_ATTEMPTS as usize {
            let pending: Vec<usize> = (0..users.len())
                .filter(|&index| outcomes[index].is_none())
                .collect();
            if pending.is_empty() {
                break;
            }
            let mut writes = Vec::new();
            let mut owners = Vec::new();
            for &index in &pending {
                writes.push(self.put_new_user(&users[index])?);
                owners.push((index, ImportOutcome::UserExists));
                if let Some(token) = &users[index].token {
                    writes.push(self.put_token_record(&users[index].user.username, token)?);
                    owners.push((index, ImportOutcome::KeyInUse));
                }
            }
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(writes))
                .send()
                .await;
            let error = match result {
                Ok(_) => {
                    for index in pending {
                        outcomes[index] = Some(ImportOutcome::Created);
                    }
                    continue;
                }
                Err(error) => error,
            };
            let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
                error.as_service_error()
            else {
                return Err(classify(error));
            };
            let reasons = cancelled.cancellation_reasons();
            let mut settled = false;
            for ((index, outcome), reason) in owners.iter().zip(reasons) {
                if reason.code() == Some("ConditionalCheckFailed") {
                    // A taken name wins over a taken key: the user is not ours to import.
                    let current = &mut outcomes[*index];
                    if current.is_none() || *outcome == ImportOutcome::UserExists {
                        *current = Some(*outcome);
                    }
                    settled = true;
                }
            }
            if settled {
                continue;
            }
            let codes = reasons.iter().map(|reason| reason.code());
            match cancellation(codes) {
                Cancellation::Transient | Cancellation::ConditionNotMet
                    if transient < TRANSIENT_ATTEMPTS =>
                {
                    tokio::time::sleep(Duration::from_millis(50 << transient)).await;
                    transient += 1;
                }
                Cancellation::Failed => return Err(StoreError::Failed(Box::new(error))),
                _ => return Err(StoreError::Unavailable(Box::new(error))),
            }
        }
        outcomes
            .into_iter()
            .map(|outcome| outcome.ok_or(StoreError::Unavailable(Box::new(KeptCancelled))))
            .collect()
    }

    /// A transaction step that puts `imported`'s user item, provided the name is free.
    fn put_new_user(&self, imported: &Imported) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.tables.users)
            .set_item(Some(items::user_item(&imported.user)))
            .condition_expression("attribute_not_exists(#username)")
            .expression_attribute_names("#username", USERNAME)
            .build()
            .map_err(|error| StoreError::Failed(Box::new(error)))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}
