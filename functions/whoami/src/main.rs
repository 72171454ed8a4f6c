//! The `whoami` Lambda function: API Gateway (HTTP API) events for [`authtoken::endpoint::WHOAMI`]
//! in, answers out, through [`authtoken::lambda::run`].

use authtoken::endpoint::WHOAMI;
use lambda_http::Error;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    authtoken::lambda::run(&WHOAMI).await
}
