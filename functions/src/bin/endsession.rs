//! The `endsession` Lambda function: API Gateway (HTTP API) events for
//! [`authtoken::endpoint::END_SESSION`] in, [`authtoken::handlers::endsession`] out.

use authtoken::{handlers, lambda};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda::serve(lambda::init()?, handlers::endsession).await
}
