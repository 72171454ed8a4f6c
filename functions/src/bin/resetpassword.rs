//! The `resetpassword` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::RESET_PASSWORD`] (djoser's `reset_password`) in,
//! [`authtoken::handlers::resetpassword`] out; each valid request is queued for the mailer.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init_queueing()?, handlers::resetpassword).await
}
