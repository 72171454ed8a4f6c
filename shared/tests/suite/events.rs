//! Every `events/*.json` of the shared crate's work through it in-process: an endpoint's event
//! becomes a request with `lambda_http::request::from_str`, as the Lambda runtime would make it,
//! and goes to its endpoint; an authorizer event is decided by `authorizer::authorize`; all on
//! the memory store. The built binaries get the same events under the Runtime API stand-in in
//! functions/tests/suite/events.rs (the example function's events only there: its code is its own);
//! this is the fast check of the same answers, with no process, no network and no DynamoDB.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::Ctx;
use authtoken::authorizer::{self, AuthorizerRequest};
use authtoken::config::Settings;
use authtoken::endpoint::Endpoint;
use authtoken::handlers;
use testkit::events::{
    Answer, Expected, check_answer, check_decision, deployed_settings, ensure_event_token,
    event_files, expected, function_of, memory_store_with_event_user,
};

#[tokio::test]
async fn every_endpoint_event_gets_its_expected_answer_from_its_endpoint() {
    let mut ctx = Ctx::new(memory_store_with_event_user().await, Settings::default());
    let mut checked = 0;
    for (stem, path) in event_files() {
        let Some(endpoint) = Endpoint::for_function(function_of(&stem)) else {
            continue;
        };
        // As the stack deploys the function: the registration's only when registration is
        // open, the activation's only with SEND_ACTIVATION_EMAIL.
        let deployed = deployed_settings(function_of(&stem));
        ctx.settings = Settings::from_lookup(|var| {
            let set = deployed.iter().find(|(name, _)| *name == var);
            set.map(|(_, value)| value.clone())
                .or_else(|| (var == "REGISTRATION").then(|| "open".to_owned()))
        })
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let request = lambda_http::request::from_str(&text).unwrap_or_else(|error| {
            panic!("events/{stem}.json is not an API Gateway event: {error}")
        });
        // A logout event deletes the token the other events present.
        ensure_event_token(&ctx.store).await;
        let response = handlers::handle(&ctx, endpoint, request).await;
        check_answer(&stem, &Answer::from_response(response));
        checked += 1;
    }
    assert!(
        checked >= 3,
        "events/ holds one event per endpoint at least"
    );
}

#[tokio::test]
async fn every_authorizer_event_gets_its_expected_decision() {
    let store = memory_store_with_event_user().await;
    let mut checked = 0;
    for (stem, path) in event_files() {
        if function_of(&stem) != "authorizer" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let request: AuthorizerRequest = serde_json::from_str(&text).unwrap_or_else(|error| {
            panic!("events/{stem}.json is not an authorizer request: {error}")
        });
        let Some(Expected::Authorizer(allowed)) = expected(&stem) else {
            panic!("events/{stem}.json expects no decision");
        };
        let decision = authorizer::authorize(&store, &Settings::default(), &request)
            .await
            .unwrap();
        check_decision(&stem, &serde_json::to_value(&decision).unwrap(), allowed);
        checked += 1;
    }
    assert!(checked >= 4, "events/ holds the four authorizer cases");
}
