//! The `setpassword` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::SET_PASSWORD`] (djoser's `set_password`) in,
//! [`authtoken::handlers::setpassword`] out.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init_mailing()?, handlers::setpassword).await
}
