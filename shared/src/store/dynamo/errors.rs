//! Sorting SDK failures into the store's two kinds: worth retrying later, or not.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use crate::sdk::is_transient;
use crate::store::StoreError;

/// Error codes that mean "try again later".
const TRANSIENT_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
    "TransactionConflictException",
];

/// Cancellation reasons (of a transaction) that mean "try again later".
const TRANSIENT_REASONS: &[&str] = &["ThrottlingError", "ProvisionedThroughputExceeded"];

/// Classifies any SDK operation error.
pub fn classify<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let transient = is_transient(&error, TRANSIENT_CODES);
    let missing_table = matches!(&error, SdkError::ServiceError(service)
        if service.err().code() == Some("ResourceNotFoundException"));
    if transient {
        StoreError::Unavailable(Box::new(error))
    } else if missing_table {
        StoreError::TableNotFound(Box::new(error))
    } else {
        StoreError::Failed(Box::new(error))
    }
}

/// What a cancelled transaction's reasons say.
pub enum Cancellation {
    /// A condition failed or another transaction interfered: re-read and decide again.
    ConditionNotMet,
    /// Throttled: try again later.
    Transient,
    /// Anything else (validation, a missing table...).
    Failed,
}

/// Reads the cancellation reason codes of a `TransactionCanceledException`.
pub fn cancellation<'a>(codes: impl Iterator<Item = Option<&'a str>>) -> Cancellation {
    let codes: Vec<&str> = codes.flatten().filter(|code| *code != "None").collect();
    if codes.iter().any(|code| TRANSIENT_REASONS.contains(code)) {
        Cancellation::Transient
    } else if codes
        .iter()
        .all(|code| matches!(*code, "ConditionalCheckFailed" | "TransactionConflict"))
    {
        Cancellation::ConditionNotMet
    } else {
        Cancellation::Failed
    }
}

#[cfg(test)]
mod tests {
    //! Each class of failure, produced by the SDK's own mocks and read back through the store.
    //! Timeouts, refused connections and lost answers are proven against moto through the
    //! fault proxy (shared/tests/suite/faults.rs).

    use aws_sdk_dynamodb::Client;
    use aws_sdk_dynamodb::error::ErrorMetadata;
    use aws_sdk_dynamodb::operation::get_item::{GetItemError, GetItemOutput};
    use aws_sdk_dynamodb::operation::put_item::PutItemError;
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
    use aws_sdk_dynamodb::types::error::{
        ConditionalCheckFailedException, ProvisionedThroughputExceededException,
        ResourceNotFoundException, TransactionCanceledException,
    };
    use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason};
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    use super::super::DynamoStore;
    use crate::secrets::token::TokenKey;
    use crate::store::dynamo::Tables;
    use crate::store::{NewToken, Store, StoreError, User};

    fn store_over(client: Client) -> DynamoStore {
        let tables = Tables {
            users: "users".into(),
            tokens: "tokens".into(),
            lockouts: "lockouts".into(),
        };
        DynamoStore::new(client, tables)
    }

    /// A store whose every GetItem fails with `error`.
    fn failing_reads(error: impl Fn() -> GetItemError + Send + Sync + 'static) -> DynamoStore {
        let rule = mock!(Client::get_item)
            .sequence()
            .error(error)
            .repeatedly()
            .build();
        store_over(mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, &[&rule]))
    }

    /// The metadata the SDK reads off the wire for an error with this code (a modeled error
    /// built by hand has none).
    fn wire(code: &str) -> ErrorMetadata {
        ErrorMetadata::builder().code(code).message("x").build()
    }

    /// A store whose every GetItem fails with an error of this code.
    fn failing_with(code: &'static str) -> DynamoStore {
        failing_reads(move || GetItemError::generic(wire(code)))
    }

    /// A store whose every GetItem fails with the SDK's modeled error of this name, as the SDK
    /// reads it off the wire (the error type and its `GetItemError` variant share the name).
    macro_rules! failing_with_modeled {
        ($error:ident) => {
            failing_reads(|| {
                GetItemError::$error(
                    $error::builder()
                        .message("x")
                        .meta(wire(stringify!($error)))
                        .build(),
                )
            })
        };
    }

    fn kind(error: &StoreError) -> &'static str {
        match error {
            StoreError::Unavailable(_) => "unavailable (503)",
            StoreError::TableNotFound(_) => "table not found (500)",
            StoreError::Failed(_) => "failed (500)",
        }
    }

    async fn read_error(store: &DynamoStore) -> &'static str {
        kind(&store.user("admin").await.expect_err("the read fails"))
    }

    #[tokio::test]
    async fn throttling_and_server_errors_are_transient() {
        let store = failing_with_modeled!(ProvisionedThroughputExceededException);
        assert_eq!(read_error(&store).await, "unavailable (503)");
        let throttled = ["ThrottlingException", "RequestLimitExceeded"];
        let server_side = ["InternalServerError", "ServiceUnavailable"];
        let transactions = [
            "TransactionInProgressException",
            "TransactionConflictException",
        ];
        for code in throttled.into_iter().chain(server_side).chain(transactions) {
            assert_eq!(
                read_error(&failing_with(code)).await,
                "unavailable (503)",
                "{code}"
            );
        }
    }

    #[tokio::test]
    async fn a_missing_table_is_reported_as_such() {
        let store = failing_with_modeled!(ResourceNotFoundException);
        assert_eq!(read_error(&store).await, "table not found (500)");
    }

    #[tokio::test]
    async fn anything_else_is_a_failure() {
        for code in [
            "ValidationException",
            "AccessDeniedException",
            "UnrecognizedClientException",
        ] {
            assert_eq!(
                read_error(&failing_with(code)).await,
                "failed (500)",
                "{code}"
            );
        }
    }

    #[tokio::test]
    async fn an_item_of_another_layout_is_a_failure() {
        let rule = mock!(Client::get_item).then_output(|| {
            GetItemOutput::builder()
                .item("username", AttributeValue::Bool(true))
                .build()
        });
        let store = store_over(mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, &[&rule]));
        assert_eq!(read_error(&store).await, "failed (500)");
    }

    fn cancelled(codes: &'static [&'static str]) -> impl Fn() -> TransactWriteItemsError {
        move || {
            let reasons = codes
                .iter()
                .map(|code| CancellationReason::builder().code(*code).build())
                .collect();
            TransactWriteItemsError::TransactionCanceledException(
                TransactionCanceledException::builder()
                    .set_cancellation_reasons(Some(reasons))
                    .build(),
            )
        }
    }

    async fn install(codes: &'static [&'static str]) -> Result<bool, StoreError> {
        let rule = mock!(Client::transact_write_items)
            .sequence()
            .error(cancelled(codes))
            .repeatedly()
            .build();
        let store = store_over(mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, &[&rule]));
        let token = NewToken {
            key: TokenKey::generate(crate::secrets::token::TokenFormat::Hex),
            created: 1,
            expires: None,
        };
        let sealed = crate::secrets::seal::SealKey::random()
            .seal("admin", &token.key)
            .expect("sealed");
        store
            .install_token(crate::store::Installation {
                username: "admin",
                token: &token,
                sealed: &sealed,
                replacing: None,
                credentials: 0,
            })
            .await
    }

    #[tokio::test]
    async fn a_transaction_cancelled_by_a_condition_is_not_written() {
        assert!(!install(&["None", "ConditionalCheckFailed"]).await.unwrap());
        assert!(!install(&["TransactionConflict", "None"]).await.unwrap());
    }

    #[tokio::test]
    async fn a_transaction_cancelled_by_throttling_is_transient() {
        let error = install(&["None", "ThrottlingError"]).await.unwrap_err();
        assert_eq!(kind(&error), "unavailable (503)");
        let error = install(&["ProvisionedThroughputExceeded", "None"])
            .await
            .unwrap_err();
        assert_eq!(kind(&error), "unavailable (503)");
    }

    #[tokio::test]
    async fn a_transaction_cancelled_otherwise_is_a_failure() {
        let error = install(&["ValidationError", "None"]).await.unwrap_err();
        assert_eq!(kind(&error), "failed (500)");
    }

    #[tokio::test]
    async fn a_single_write_whose_condition_fails_is_not_written() {
        let put = mock!(Client::put_item).then_error(|| {
            PutItemError::ConditionalCheckFailedException(
                ConditionalCheckFailedException::builder().build(),
            )
        });
        let update = mock!(Client::update_item).then_error(|| {
            UpdateItemError::ConditionalCheckFailedException(
                ConditionalCheckFailedException::builder().build(),
            )
        });
        let store = store_over(mock_client!(
            aws_sdk_dynamodb,
            RuleMode::MatchAny,
            &[&put, &update]
        ));
        let user = User {
            username: "admin".into(),
            password_hash: "hash".into(),
            active: true,
            per_user_token: None,
            per_login_tokens: Vec::new(),
            created: 1,
            credentials: 0,
            id: Some(1),
            email: String::new(),
            link_nonce: None,
            awaiting_activation: false,
        };
        assert!(!store.create_user(&user).await.unwrap());
        assert!(
            !store
                .replace_password_hash(crate::store::HashReplacement {
                    username: "admin",
                    old_hash: "old",
                    new_hash: "new",
                    change: crate::store::PasswordChange::Rehash,
                })
                .await
                .unwrap()
        );
    }
}
