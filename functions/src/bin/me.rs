//! The `me` Lambda function: API Gateway (HTTP API) events for [`authtoken::endpoint::ME`]
//! (djoser's `/auth/users/me/`) in, [`authtoken::handlers::me`] out.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init_mailing()?, handlers::me).await
}
