//! The `activation` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::ACTIVATION`] (djoser's `activation`) in,
//! [`authtoken::handlers::activation`] out. The stack deploys it only with
//! `SendActivationEmail=true`.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let ctx = lambda::with_mail_queue(lambda::init_sealing()?, false)?;
    lambda::serve(ctx, handlers::activation).await
}
