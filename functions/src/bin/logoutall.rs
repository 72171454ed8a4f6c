//! The `logoutall` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::LOGOUT_ALL`] in, [`authtoken::handlers::logoutall`] out.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init()?, handlers::logoutall).await
}
