//! The `login` Lambda function: API Gateway (HTTP API) events for [`authtoken::endpoint::LOGIN`]
//! in, answers out, through [`authtoken::lambda::run`].

use authtoken::endpoint::LOGIN;
use lambda_http::Error;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    authtoken::lambda::run(&LOGIN).await
}
