//! The `sessions` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::SESSIONS`] in, [`authtoken::handlers::sessions`] out.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init()?, handlers::sessions).await
}
