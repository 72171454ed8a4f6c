//! The `logout` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::LOGOUT`] in, [`authtoken::handlers::logout`] out.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init()?, handlers::logout).await
}
