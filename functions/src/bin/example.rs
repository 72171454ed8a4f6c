//! The `example` Lambda function: a route of the team's own behind the authorizer. API Gateway
//! calls it only for requests the authorizer allowed, and hands it the username the authorizer
//! put in the request's context (`requestContext.authorizer.lambda.username`); it answers
//! `{"username": "..."}`. Replace it with your own functions, on routes with the same
//! `Auth.Authorizer` in template.yaml.

use authtoken::authorizer::authorized_username;
use authtoken::http::response::{self, Failure};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response, service_fn};
use serde_json::json;

/// The caller's username, from the authorizer. A request without it reached this function on
/// a route that is not behind the authorizer (a template mistake): it is refused like a request
/// without a token, never served.
async fn example(request: Request) -> Result<Response<Body>, Error> {
    let Some(username) = authorized_username(&request) else {
        tracing::error!("no username from the authorizer: is this route behind it?");
        return Ok(Failure::NotAuthenticated.into_response());
    };
    Ok(response::json(
        StatusCode::OK,
        &json!({ "username": username }),
    ))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    authtoken::logging::init_lambda();
    lambda_http::run(service_fn(example)).await
}
