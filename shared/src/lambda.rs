//! What every Lambda function's `main` does: logging, the context built once per sandbox, then
//! each API Gateway event through the endpoint's pipeline.

use std::convert::Infallible;

use lambda_http::{Error, service_fn};

use crate::ctx::Ctx;
use crate::endpoint::Endpoint;
use crate::{handlers, logging};

/// Serves `endpoint` as a Lambda function until the runtime stops it. The context (settings
/// and the DynamoDB client) is built once and reused by every warm invocation; a bad setting
/// stops the function at init with a message naming the variable.
pub async fn run(endpoint: &'static Endpoint) -> Result<(), Error> {
    logging::init_lambda();
    let ctx = &Ctx::from_lambda_env()?;
    lambda_http::run(service_fn(move |request| async move {
        Ok::<_, Infallible>(handlers::handle(ctx, endpoint, request).await)
    }))
    .await
}
