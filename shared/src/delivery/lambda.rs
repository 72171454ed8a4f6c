//! The mailer function: SQS events of mail requests in, each carried out by the [`Mailer`],
//! with SES as the postman. A request that failed for now (the store, the seal secret or SES)
//! is reported back (`ReportBatchItemFailures`), so that SQS delivers it again later, up to the
//! queue's `maxReceiveCount`, then sets it aside in the dead-letter queue; a request that can
//! never succeed (unreadable) is logged and dropped.

use std::pin::Pin;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::{LambdaEvent, service_fn};

use crate::clock;
use crate::config::ConfigError;
use crate::ctx::Ctx;
use crate::mail::mailer::Mailer;
use crate::mail::{MailRequest, Postman, Templates};
use crate::manifest::settings::{DOMAIN, EMAIL_FROM, MAIL_TEMPLATES, SES_CONFIGURATION_SET};
use crate::store::dynamo::{ClientEnv, DynamoStore, client};

/// What the function keeps for the sandbox's life.
struct Sandbox {
    ctx: Ctx<DynamoStore>,
    templates: Templates,
    postman: Postman,
}

/// Builds the mailer from the environment, then carries out every SQS event of the sandbox.
pub async fn run() -> Result<(), lambda_runtime::Error> {
    let sandbox: &'static Sandbox = Box::leak(Box::new(sandbox()?));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        // Boxed: the SDK calls' futures are deep, and the runtime's would carry them.
        let batch: Pin<Box<dyn Future<Output = SqsBatchResponse> + Send>> =
            Box::pin(handle_batch(sandbox, event.payload));
        async move { Ok::<_, std::convert::Infallible>(batch.await) }
    }))
    .await
}

/// Logging, the store (sealing: the seal secret signs links, as the login's init requires), the
/// templates (`MAIL_TEMPLATES`, else the built-in ones) and SES; a setting the mailer cannot
/// work without stops it at init.
fn sandbox() -> Result<Sandbox, ConfigError> {
    let ctx = crate::lambda::init_sealing()?;
    for (setting, value) in [
        (EMAIL_FROM, &ctx.settings.mail.from),
        (DOMAIN, &ctx.settings.mail.domain),
    ] {
        if value.is_empty() {
            return Err(ConfigError::Missing(setting.var));
        }
    }
    let templates = match std::env::var(MAIL_TEMPLATES.var)
        .ok()
        .filter(|dir| !dir.is_empty())
    {
        Some(dir) => Templates::from_dir(std::path::Path::new(&dir)).map_err(|error| {
            ConfigError::Invalid {
                var: MAIL_TEMPLATES.var,
                value: format!("{dir} ({error})"),
                expected: MAIL_TEMPLATES.expected,
            }
        })?,
        None => Templates::builtin(),
    };
    let env = ClientEnv::from_env()?;
    let postman = Postman::Ses {
        client: client::lambda_ses_client(&env)?,
        configuration_set: std::env::var(SES_CONFIGURATION_SET.var)
            .ok()
            .filter(|name| !name.trim().is_empty()),
    };
    Ok(Sandbox {
        ctx,
        templates,
        postman,
    })
}

/// Carries out each record; the ids of those to deliver again.
async fn handle_batch(sandbox: &Sandbox, event: SqsEvent) -> SqsBatchResponse {
    let mailer = Mailer {
        store: &sandbox.ctx.store,
        settings: &sandbox.ctx.settings,
        templates: &sandbox.templates,
        postman: &sandbox.postman,
    };
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        if let Some(failed) = handle_record(&mailer, record).await {
            response.add_failure(failed);
        }
    }
    response
}

/// Carries out one record: its message id if it should be delivered again.
async fn handle_record(mailer: &Mailer<'_, DynamoStore>, record: SqsMessage) -> Option<String> {
    let id = record.message_id.clone().unwrap_or_default();
    let request: MailRequest = match record.body.as_deref().map(serde_json::from_str) {
        Some(Ok(request)) => request,
        _ => {
            tracing::error!(message_id = id, "a mail request that is not one; dropped");
            return None;
        }
    };
    // Counted against the limits at its first delivery only.
    let first = record
        .attributes
        .get("ApproximateReceiveCount")
        .is_none_or(|count| count == "1");
    match mailer.handle(&request, clock::now(), first).await {
        Ok(outcome) => {
            tracing::info!(message_id = id, outcome = ?outcome, "mail request done");
            None
        }
        Err(error) => {
            tracing::warn!(message_id = id, error = %error, "mail request failed; to be tried again");
            Some(id)
        }
    }
}
