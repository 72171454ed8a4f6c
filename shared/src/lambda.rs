//! What every Lambda function does before its first event: logging, and the context built once
//! per sandbox (settings and the DynamoDB client), reused by every warm invocation.

use std::convert::Infallible;

use lambda_http::{Body, Request, Response, service_fn};

use crate::config::ConfigError;
use crate::ctx::Ctx;
use crate::logging;
use crate::mail::Mailbox;
use crate::manifest::settings::MAIL_QUEUE_URL;
use crate::store::Store;
use crate::store::dynamo::ClientEnv;
use crate::store::dynamo::DynamoStore;

/// Sets up logging from Lambda's variables and builds the context from the environment; a bad
/// setting is an error naming the variable, which stops the function at init.
pub fn init() -> Result<Ctx<DynamoStore>, ConfigError> {
    logging::init_lambda();
    Ctx::from_lambda_env()
}

/// [`init`] for the login function, which seals and opens per-user keys: the seal secret
/// ([`crate::manifest::settings::SEAL_SECRET`]) must be configured, or the function stops at init.
pub fn init_sealing() -> Result<Ctx<DynamoStore>, ConfigError> {
    logging::init_lambda();
    let ctx = Ctx::from_lambda_env_sealing()?;
    if !ctx.store.sealer().is_configured() {
        return Err(ConfigError::Missing(
            crate::manifest::settings::SEAL_SECRET.var,
        ));
    }
    Ok(ctx)
}

/// [`init`] for the functions whose every valid request is queued for the mailer (the reset
/// and activation requests): their mailbox is the queue `MAIL_QUEUE_URL` names (required).
pub fn init_queueing() -> Result<Ctx<DynamoStore>, ConfigError> {
    with_mail_queue(init()?, true)
}

/// [`init`] for the functions that may queue an email, as the settings say (an activation link,
/// a notice): [`with_mail_queue`], not required.
pub fn init_mailing() -> Result<Ctx<DynamoStore>, ConfigError> {
    with_mail_queue(init()?, false)
}

/// `ctx`, posting mail requests to the queue `MAIL_QUEUE_URL` names. Unset or empty (a stack
/// that sends no email), it posts none, unless `required` or the settings send email
/// ([`crate::config::MailSettings::sends_account_email`]): then the function stops at init.
pub fn with_mail_queue(
    ctx: Ctx<DynamoStore>,
    required: bool,
) -> Result<Ctx<DynamoStore>, ConfigError> {
    let url = std::env::var(MAIL_QUEUE_URL.var)
        .ok()
        .filter(|url| !url.trim().is_empty());
    let Some(url) = url else {
        if required || ctx.settings.mail.sends_account_email() {
            return Err(ConfigError::Missing(MAIL_QUEUE_URL.var));
        }
        return Ok(ctx);
    };
    let client = crate::store::dynamo::client::lambda_sqs_client(&ClientEnv::from_env()?)?;
    Ok(ctx.with_mailbox(Mailbox::Queue { client, url }))
}

/// Runs an endpoint's handler (one of [`crate::handlers`]) for every event of the function's
/// sandbox, with the context `ctx` built once at init: every endpoint function's `main`. The
/// function names its handler, so that its binary holds only its own endpoint's work.
pub async fn serve<Handler, Answer>(
    ctx: Ctx<DynamoStore>,
    handler: Handler,
) -> Result<(), lambda_http::Error>
where
    Handler: Fn(&'static Ctx<DynamoStore>, Request) -> Answer,
    Answer: Future<Output = Response<Body>> + Send,
{
    // Lent to every invocation for the rest of the process's life, which is the sandbox's.
    let ctx: &'static Ctx<DynamoStore> = Box::leak(Box::new(ctx));
    lambda_http::run(service_fn(move |request| {
        let answer = handler(ctx, request);
        async move { Ok::<_, Infallible>(answer.await) }
    }))
    .await
}
