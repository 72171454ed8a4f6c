//! The `mailer` Lambda function: SQS events of the mail queue (password resets requested) in,
//! emails sent through SES ([`authtoken::delivery::lambda`]).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    authtoken::delivery::lambda::run().await
}
