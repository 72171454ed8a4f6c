//! The `logout` Lambda function: API Gateway (HTTP API) events for [`authtoken::endpoint::LOGOUT`]
//! in, answers out, through [`authtoken::lambda::run`].

use authtoken::endpoint::LOGOUT;
use lambda_http::Error;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    authtoken::lambda::run(&LOGOUT).await
}
