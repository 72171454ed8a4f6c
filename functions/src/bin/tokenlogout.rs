//! The `tokenlogout` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::TOKEN_LOGOUT`] (djoser's logout) in,
//! [`authtoken::handlers::tokenlogout`] out.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init()?, handlers::tokenlogout).await
}
