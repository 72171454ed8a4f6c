//! The `login` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::LOGIN`] in, [`authtoken::handlers::login`] out.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init_sealing()?, handlers::login).await
}
