//! The `authorizer` binary's logs and faults: a denial is logged with the client's address;
//! when DynamoDB fails it reports an error to Lambda (API Gateway then answers the client 500
//! and caches nothing), never an allow and never a deny, and recovers with the store.

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
        &crate::binary("authorizer"),
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
    // A line may arrive from the pipe after the answer it led to.
    let reported = |log: &[String]| {
        log.iter()
            .any(|line| line.contains("the store could not answer"))
    };
    let log = process.log_when(Duration::from_secs(10), reported);
    assert!(reported(&log), "{log:#?}");

    proxy.heal();
    let outcome = api.invoke(&event, Duration::from_secs(30)).await.unwrap();
    let Outcome::Response(output) = outcome else {
        panic!("no decision after the store healed: {outcome:?}");
    };
    assert_eq!(check_output("authorizer-token", &output), "allowed");
    let digest = authtoken::secrets::token::TokenKey::new(EVENT_TOKEN).digest();
    assert_no_secrets(
        &process.log(),
        &[EVENT_USER.1, EVENT_TOKEN, digest.as_str()],
    );
}

/// A denial is logged with the client's address (and the route), never the header.
#[tokio::test]
async fn a_denial_is_logged_with_the_clients_address() {
    let store = store_with_event_user().await;
    let api = RuntimeApi::start().await;
    let mut env = function_env(&store, testkit::dynamo::endpoint());
    env.push(("AWS_LAMBDA_LOG_FORMAT", "JSON".to_owned()));
    let mut process = FunctionProcess::spawn(&crate::binary("authorizer"), &api, &env);
    let event = std::fs::read(events_dir().join("authorizer-unknown-token.json")).unwrap();
    let outcome = api.invoke(&event, Duration::from_secs(30)).await.unwrap();
    assert!(matches!(outcome, Outcome::Response(_)), "{outcome:?}");
    let is_denial = |line: &str| {
        serde_json::from_str::<serde_json::Value>(line)
            .is_ok_and(|entry| entry["fields"]["message"] == "denied")
    };
    let line = process
        .wait_for_line(Duration::from_secs(10), is_denial)
        .unwrap_or_else(|| panic!("no denial logged: {:#?}", process.log()));
    let denial: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(denial["fields"]["source_ip"], "203.0.113.7", "{denial}");
    assert_eq!(
        denial["fields"]["reason"], "unknown or expired token",
        "{denial}"
    );
}
