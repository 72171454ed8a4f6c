//! The baseline for the cold-start benchmark: an empty `lambda_http` handler, built with the
//! functions' release profile, answering every event with an empty 200.

use std::convert::Infallible;

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_: Request| async {
        Ok::<_, Infallible>(Response::new(Body::Empty))
    }))
    .await
}
