//! Sorting SDK failures into the store's two kinds: worth retrying later, or not.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

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
    let transient = match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(service) => service
            .err()
            .code()
            .is_some_and(|code| TRANSIENT_CODES.contains(&code)),
        _ => false,
    };
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
