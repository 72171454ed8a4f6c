//! The `resendactivation` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::RESEND_ACTIVATION`] (djoser's `resend_activation`) in,
//! [`authtoken::handlers::resendactivation`] out; each valid request is queued for the mailer.
//! The stack deploys it only with `SendActivationEmail=true`.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init_queueing()?, handlers::resendactivation).await
}
