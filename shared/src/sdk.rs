//! What the AWS SDK's failures mean, whatever the service (DynamoDB, Secrets Manager): worth
//! retrying later, or not.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// Whether an AWS SDK error (of any service) may pass if the call is retried later: a timeout,
/// a lost connection or answer, or a service error whose code is one of `codes`.
pub fn is_transient<E, R>(error: &SdkError<E, R>, codes: &[&str]) -> bool
where
    E: ProvideErrorMetadata,
{
    match error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(service) => service
            .err()
            .code()
            .is_some_and(|code| codes.contains(&code)),
        _ => false,
    }
}
