//! The `login` Lambda function: API Gateway (HTTP API) events for [`authtoken::endpoint::LOGIN`]
//! in, [`authtoken::handlers::login`] out. It names its handler, so that its binary holds only
//! its own endpoint's work.

use std::convert::Infallible;

use authtoken::handlers;
use lambda_http::{Error, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let ctx = &authtoken::lambda::init_sealing()?;
    lambda_http::run(service_fn(move |request| async move {
        Ok::<_, Infallible>(handlers::login(ctx, request).await)
    }))
    .await
}
