//! The `whoami` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::WHOAMI`] in, [`authtoken::handlers::whoami`] out.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init()?, handlers::whoami).await
}
