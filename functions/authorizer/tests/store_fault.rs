//! The `authorizer` binary when DynamoDB fails: it reports an error to Lambda (API Gateway then
//! answers the client 500 and caches nothing), never an allow and never a deny, and recovers
//! with the store.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use std::time::Duration;

use testkit::events::{
    EVENT_TOKEN, EVENT_USER, assert_no_secrets, check_output, events_dir, function_env,
    store_with_event_user,
};
use testkit::fault_proxy::{Fault, FaultProxy};
use testkit::runtime_api::{FunctionProcess, Outcome, RuntimeApi};

#[tokio::test]
async fn a_store_fault_is_reported_as_an_error_not_a_decision() {
    let store = store_with_event_user().await;
    let proxy = FaultProxy::start(testkit::dynamo::endpoint()).await;
    let api = RuntimeApi::start().await;
    let process = FunctionProcess::spawn(
        env!("CARGO_BIN_EXE_authorizer"),
        &api,
        &function_env(&store, proxy.endpoint()),
    );
    let event = std::fs::read(events_dir().join("authorizer-token.json")).unwrap();

    proxy.inject("GetItem", Fault::ServerError, None);
    let outcome = api.invoke(&event, Duration::from_secs(30)).await.unwrap();
    let Outcome::Error(report) = outcome else {
        panic!("a decision despite the fault: {outcome:?}");
    };
    let report: serde_json::Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(report["errorType"], "StoreError", "{report}");
    assert!(proxy.faults_applied() > 0, "the fault was injected");
    let log = process.log();
    assert!(
        log.iter()
            .any(|line| line.contains("the store could not answer")),
        "{log:#?}"
    );

    proxy.heal();
    let outcome = api.invoke(&event, Duration::from_secs(30)).await.unwrap();
    let Outcome::Response(output) = outcome else {
        panic!("no decision after the store healed: {outcome:?}");
    };
    assert_eq!(check_output("authorizer-token", &output), "allowed");
    let digest = authtoken::token::TokenKey::new(EVENT_TOKEN).digest();
    assert_no_secrets(
        &process.log(),
        &[EVENT_USER.1, EVENT_TOKEN, digest.as_str()],
    );
}
