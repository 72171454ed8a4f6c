//! The `authorizer` Lambda function: API Gateway's HTTP API Lambda authorizer (REQUEST, payload
//! format 2.0, simple responses) over the tokens, for the routes a team puts behind it. Each
//! event gets [`authtoken::authorizer::authorize`]'s decision; a store fault is reported to
//! Lambda as an error, so that API Gateway answers 500 instead of allowing or denying.

// The release build's layout of the handler's future (the authorizer, the header's
// authentication, the store's SDK calls, nested) goes deeper than the default limit of 128.
#![recursion_limit = "256"]

use authtoken::authorizer::{self, AuthorizerRequest};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let ctx = &authtoken::lambda::init()?;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<AuthorizerRequest>| async move {
            authorizer::authorize(&ctx.store, &ctx.settings, &event.payload)
                .await
                .map_err(authorizer::fault)
        },
    ))
    .await
}
