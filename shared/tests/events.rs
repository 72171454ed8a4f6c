//! Every `events/*.json` through the request pipeline in-process: each file becomes a request
//! with `lambda_http::request::from_str`, as the Lambda runtime would make it, and goes to its
//! function's endpoint on the memory store. The built binaries get the same events under the
//! Runtime API stand-in in functions/*/tests/events.rs; this is the fast check of the same
//! answers, with no process, no network and no DynamoDB.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::Ctx;
use authtoken::config::Settings;
use authtoken::endpoint::Endpoint;
use authtoken::handlers;
use testkit::events::{
    Answer, check_answer, ensure_event_token, event_files, function_of,
    memory_store_with_event_user,
};

#[tokio::test]
async fn every_event_gets_its_expected_answer_from_its_endpoint() {
    let ctx = Ctx {
        store: memory_store_with_event_user().await,
        settings: Settings::default(),
    };
    let files = event_files();
    assert!(
        files.len() >= 3,
        "events/ holds one event per function at least"
    );
    for (stem, path) in files {
        let endpoint = Endpoint::for_function(function_of(&stem))
            .unwrap_or_else(|| panic!("events/{stem}.json names no function"));
        let text = std::fs::read_to_string(&path).unwrap();
        let request = lambda_http::request::from_str(&text).unwrap_or_else(|error| {
            panic!("events/{stem}.json is not an API Gateway event: {error}")
        });
        // A logout event deletes the token the other events present.
        ensure_event_token(&ctx.store).await;
        let response = handlers::handle(&ctx, endpoint, request).await;
        check_answer(&stem, &Answer::from_response(response));
    }
}
