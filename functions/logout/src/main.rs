//! The `logout` Lambda function: API Gateway (HTTP API) events in, [`authtoken::handlers::logout`] out.
//! The context (settings and the DynamoDB client) is built once per sandbox and reused by
//! every warm invocation.

use std::convert::Infallible;

use authtoken::{Ctx, handlers};
use lambda_http::{Error, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    authtoken::logging::init_lambda();
    let ctx = &Ctx::from_lambda_env()?;
    lambda_http::run(service_fn(move |request| async move {
        Ok::<_, Infallible>(handlers::logout(ctx, request).await)
    }))
    .await
}
