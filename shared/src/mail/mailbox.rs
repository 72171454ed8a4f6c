//! Where an endpoint posts a [`MailRequest`]: Amazon SQS in the stack (one `SendMessage`,
//! whatever the address), an in-process worker locally, or nowhere.

use aws_sdk_sqs::Client;
use tokio::sync::mpsc::UnboundedSender;

use super::MailRequest;
use crate::store::StoreError;

/// Where mail requests go.
#[derive(Debug, Clone, Default)]
pub enum Mailbox {
    /// Nowhere: requests are logged and dropped (a context that sends no email).
    #[default]
    Off,
    /// An SQS queue the mailer function reads (`MAIL_QUEUE_URL`).
    Queue {
        /// The SQS client.
        client: Client,
        /// The queue's URL.
        url: String,
    },
    /// A worker in this process (`authtoken serve`, tests), which runs the mailer.
    Local(UnboundedSender<MailRequest>),
}

impl Mailbox {
    /// Posts `request`. An error is the queue's, worth retrying later (answered 503).
    pub async fn post(&self, request: &MailRequest) -> Result<(), StoreError> {
        match self {
            Self::Off => {
                tracing::warn!("no email is sent from here: the request is dropped");
                Ok(())
            }
            Self::Queue { client, url } => {
                let body = serde_json::to_string(request)
                    .map_err(|error| StoreError::Failed(Box::new(error)))?;
                client
                    .send_message()
                    .queue_url(url)
                    .message_body(body)
                    .send()
                    .await
                    .map_err(|error| {
                        if crate::sdk::is_transient(
                            &error,
                            &["RequestThrottled", "ThrottlingException"],
                        ) {
                            StoreError::Unavailable(Box::new(error))
                        } else {
                            StoreError::Failed(Box::new(error))
                        }
                    })?;
                Ok(())
            }
            Self::Local(sender) => sender
                .send(request.clone())
                .map_err(|_| StoreError::Unavailable("the local mail worker stopped".into())),
        }
    }

    /// Posts `request`, whose loss must not fail the change that asked for it (a notice, or a
    /// link the user can ask for again): an error is logged (`mail_not_queued`), not returned.
    pub async fn post_or_log(&self, request: &MailRequest) {
        if let Err(error) = self.post(request).await {
            crate::audit::mail_not_queued(request.kind(), &error.to_string());
        }
    }
}
