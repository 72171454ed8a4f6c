//! Reading the seal secret from Secrets Manager: its current version once per process, and,
//! when a key needs it, its previous one with the current again, in parallel.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};

use super::SealError;
use super::cipher::SealKey;
use crate::sdk::is_transient;

/// Secrets Manager's label of a secret's current version.
const CURRENT: &str = "AWSCURRENT";
/// Its label of the version before the current one, once the secret has rotated.
const PREVIOUS: &str = "AWSPREVIOUS";

/// Error codes that mean "try again later".
const TRANSIENT_CODES: &[&str] = &["InternalServiceError", "ThrottlingException"];

/// One secret, named by ARN or name.
pub(super) struct SecretSource {
    client: Client,
    secret_id: String,
}

/// A version's value is unusable (never the value itself).
#[derive(Debug, thiserror::Error)]
enum Unusable {
    #[error("the seal secret {0} has no {CURRENT} version")]
    NoCurrentVersion(String),
    #[error("the seal secret's {stage} version holds no text (SecretString)")]
    NotText { stage: &'static str },
    #[error("the seal secret's {stage} version is unusable: {short}")]
    Short {
        stage: &'static str,
        short: super::cipher::ShortSecret,
    },
}

impl SecretSource {
    pub(super) fn new(client: Client, secret_id: String) -> Self {
        Self { client, secret_id }
    }

    /// The key of the current version and, `with_previous`, of the previous one if the secret
    /// has one (read in parallel).
    pub(super) async fn read(
        &self,
        with_previous: bool,
    ) -> Result<(SealKey, Option<SealKey>), SealError> {
        let previous = async {
            match with_previous {
                true => self.version(PREVIOUS).await,
                false => Ok(None),
            }
        };
        let (current, previous) = tokio::join!(self.version(CURRENT), previous);
        let current =
            current?.ok_or_else(|| failed(Unusable::NoCurrentVersion(self.secret_id.clone())))?;
        Ok((current, previous?))
    }

    /// The key of the version labelled `stage`; `None` if there is no such version.
    async fn version(&self, stage: &'static str) -> Result<Option<SealKey>, SealError> {
        let answer = self
            .client
            .get_secret_value()
            .secret_id(&self.secret_id)
            .version_stage(stage)
            .send()
            .await;
        let output = match answer {
            Ok(output) => output,
            Err(SdkError::ServiceError(service))
                if service.err().is_resource_not_found_exception() && stage == PREVIOUS =>
            {
                return Ok(None);
            }
            Err(error) => return Err(classify(error)),
        };
        let text = output
            .secret_string()
            .ok_or_else(|| failed(Unusable::NotText { stage }))?;
        SealKey::derive(text.trim())
            .map(Some)
            .map_err(|short| failed(Unusable::Short { stage, short }))
    }
}

fn failed(unusable: Unusable) -> SealError {
    SealError::Failed(Box::new(unusable))
}

/// Sorts a Secrets Manager failure: transient (timeouts, lost connections, throttling, its own
/// internal errors) or not (no such secret, no permission, no credentials).
fn classify<E, R>(error: SdkError<E, R>) -> SealError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if is_transient(&error, TRANSIENT_CODES) {
        SealError::Unavailable(Box::new(error))
    } else {
        SealError::Failed(Box::new(error))
    }
}
