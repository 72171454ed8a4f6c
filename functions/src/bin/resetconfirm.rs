//! The `resetconfirm` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::RESET_PASSWORD_CONFIRM`] (djoser's `reset_password_confirm`) in,
//! [`authtoken::handlers::resetconfirm`] out. It reads the seal secret, which signs the links.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let ctx = lambda::with_mail_queue(lambda::init_sealing()?, false)?;
    lambda::serve(ctx, handlers::resetconfirm).await
}
