//! The `login` binary's audit events, as CloudWatch receives them: one JSON line per event with
//! a stable `event` field, the username, the reason of a failure, and the client's address and
//! API Gateway's request id from the request's span; and never a password, key or digest.

use std::time::Duration;

use serde_json::Value;
use testkit::events::{
    EVENT_TOKEN, EVENT_USER, assert_no_secrets, events_dir, function_env, store_with_event_user,
};
use testkit::runtime_api::{FunctionProcess, Outcome, RuntimeApi};

/// The log's audit events: (event, its fields, its span's fields).
fn audit_events(log: &[String]) -> Vec<(String, Value, Value)> {
    log.iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|entry| entry["fields"]["event"].is_string())
        .map(|entry| {
            (
                entry["fields"]["event"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                entry["fields"].clone(),
                entry["span"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn logins_leave_audit_events_with_the_client_and_the_request() {
    let store = store_with_event_user().await;
    let api = RuntimeApi::start().await;
    let mut env = function_env(&store, testkit::dynamo::endpoint());
    env.push(("AWS_LAMBDA_LOG_FORMAT", "JSON".to_owned()));
    env.push(("LOGIN_LOCKOUT_THRESHOLD", "2".to_owned()));
    // A lock of a minute: a 1 s lock may end before the next invocation on a slow machine.
    env.push(("LOGIN_LOCKOUT_BASE_SECONDS", "60".to_owned()));
    let process = FunctionProcess::spawn(&crate::binary("login"), &api, &env);
    let event = |name: &str| std::fs::read(events_dir().join(format!("{name}.json"))).unwrap();
    for name in [
        "login-json",
        "login-bad-credentials",
        "login-bad-credentials",
        "login-json",
    ] {
        let outcome = api
            .invoke(&event(name), Duration::from_secs(30))
            .await
            .unwrap();
        assert!(
            matches!(outcome, Outcome::Response(_)),
            "{name}: {outcome:?}"
        );
    }
    // A line may arrive from the pipe after the answer that followed it: wait for all five.
    let log = process.log_when(Duration::from_secs(10), |log| audit_events(log).len() >= 5);
    let events = audit_events(&log);
    let names: Vec<&str> = events.iter().map(|(name, _, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "login_succeeded",
            "login_failed",
            "login_failed",
            "username_locked",
            "login_failed"
        ],
        "{log:#?}"
    );
    for (name, fields, span) in &events {
        assert_eq!(fields["username"], EVENT_USER.0, "{name}");
        assert_eq!(span["source_ip"], "203.0.113.7", "{name}: {span}");
        assert!(
            span["request_id"].as_str().is_some_and(|id| !id.is_empty()),
            "{name}"
        );
    }
    assert_eq!(events[1].1["reason"], "wrong_password");
    assert_eq!(events[3].1["failures"], 2);
    assert_eq!(events[3].1["seconds"], 60);
    assert_eq!(events[4].1["reason"], "locked");
    let digest = authtoken::secrets::token::TokenKey::new(EVENT_TOKEN).digest();
    assert_no_secrets(
        &log,
        &[
            EVENT_USER.1,
            "not the password",
            EVENT_TOKEN,
            digest.as_str(),
            testkit::dynamo::SEAL_SECRET_TEXT,
        ],
    );
}
