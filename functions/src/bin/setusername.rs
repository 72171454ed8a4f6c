//! The `setusername` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::SET_USERNAME`] (djoser's `set_username`) in,
//! [`authtoken::handlers::setusername`] out.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init()?, handlers::setusername).await
}
