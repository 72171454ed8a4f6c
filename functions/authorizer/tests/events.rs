//! The `authorizer` binary, built and run unchanged under a Lambda Runtime API stand-in, decides
//! every `events/authorizer-*.json` as expected, against DynamoDB (moto).

#[tokio::test]
async fn every_authorizer_event_gets_its_expected_decision() {
    let ran =
        testkit::events::run_through_function("authorizer", env!("CARGO_BIN_EXE_authorizer")).await;
    assert!(ran > 0);
}

/// A denial is logged with the client's address (and the route), never the header.
#[tokio::test]
async fn a_denial_is_logged_with_the_clients_address() {
    use std::time::Duration;
    use testkit::events::{events_dir, function_env, store_with_event_user};
    use testkit::runtime_api::{FunctionProcess, Outcome, RuntimeApi};

    let store = store_with_event_user().await;
    let api = RuntimeApi::start().await;
    let mut env = function_env(&store, testkit::dynamo::endpoint());
    env.push(("AWS_LAMBDA_LOG_FORMAT", "JSON".to_owned()));
    let mut process = FunctionProcess::spawn(env!("CARGO_BIN_EXE_authorizer"), &api, &env);
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
