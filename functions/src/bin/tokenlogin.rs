//! The `tokenlogin` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::TOKEN_LOGIN`] (djoser's login) in, [`authtoken::handlers::tokenlogin`]
//! out.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init_sealing()?, handlers::tokenlogin).await
}
