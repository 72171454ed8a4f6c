//! The `register` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::REGISTER`] (djoser's registration) in,
//! [`authtoken::handlers::register`] out. The stack deploys it only with `Registration=open`.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init_mailing()?, handlers::register).await
}
