//! The function verifies the certificate of DynamoDB's endpoint. By default it trusts only the
//! Amazon Trust Services roots, so an endpoint whose certificate comes from another authority
//! is refused (503, the store unreachable); `SSL_CERT_FILE` naming that authority makes it
//! trusted; naming a file that is not there stops the function at init. The endpoint is moto
//! behind a TLS proxy with a certificate from a test authority.

use std::time::Duration;

use serde_json::Value;
use testkit::events::{EVENT_USER, events_dir, function_env, store_with_event_user};
use testkit::runtime_api::{FunctionProcess, Outcome, RuntimeApi};
use testkit::tls_proxy::{TlsProxy, test_ca};

/// Answers `events/whoami-token.json` with the function reaching DynamoDB over TLS, its
/// environment extended by `extra_env`. Returns the answer and the function's process.
async fn whoami_over_tls(extra_env: &[(&'static str, String)]) -> (Value, FunctionProcess) {
    let store = store_with_event_user().await;
    let moto = testkit::dynamo::endpoint();
    let upstream = moto.trim_start_matches("http://").to_owned();
    let proxy = TlsProxy::start(upstream).await;
    let mut env = function_env(&store, proxy.url());
    env.extend_from_slice(extra_env);

    let api = RuntimeApi::start().await;
    let process = FunctionProcess::spawn(&crate::binary("whoami"), &api, &env);
    let event = std::fs::read(events_dir().join("whoami-token.json")).expect("read event");
    let outcome = api
        .invoke(&event, Duration::from_secs(30))
        .await
        .unwrap_or_else(|error| panic!("{error}; log: {:#?}", process.log()));
    let Outcome::Response(answer) = outcome else {
        panic!("the function reported an error: {outcome:?}");
    };
    let answer = serde_json::from_slice(&answer).expect("the answer is JSON");
    (answer, process)
}

#[tokio::test]
async fn an_endpoint_certified_by_another_authority_is_refused() {
    let (answer, process) = whoami_over_tls(&[]).await;
    assert_eq!(answer["statusCode"], 503, "{answer}");
    // A line may arrive from the pipe after the answer it led to.
    let names_the_issuer = |log: &[String]| log.iter().any(|line| line.contains("UnknownIssuer"));
    let log = process.log_when(Duration::from_secs(10), names_the_issuer);
    assert!(
        log.iter().any(|line| line.contains("UnknownIssuer")),
        "the store failure should be the unknown certificate authority: {log:#?}"
    );
}

#[tokio::test]
async fn ssl_cert_file_names_the_authorities_to_trust() {
    let ca = test_ca().to_str().expect("UTF-8 path").to_owned();
    let (answer, process) = whoami_over_tls(&[("SSL_CERT_FILE", ca)]).await;
    assert_eq!(
        answer["statusCode"],
        200,
        "{answer}; log: {:#?}",
        process.log()
    );
    let expected = format!(r#"{{"username":"{}"}}"#, EVENT_USER.0);
    assert_eq!(answer["body"], expected.as_str());
}

#[tokio::test]
async fn a_certificate_file_that_is_not_there_stops_start_up() {
    let store = store_with_event_user().await;
    let mut env = function_env(&store, testkit::dynamo::endpoint());
    env.push(("SSL_CERT_FILE", "/nonexistent/ca-bundle.pem".to_owned()));
    let api = RuntimeApi::start().await;
    let mut process = FunctionProcess::spawn(&crate::binary("whoami"), &api, &env);
    let log = process.stopped_at_init("SSL_CERT_FILE").await;
    assert!(
        log.iter().any(|line| line.contains("SSL_CERT_FILE")),
        "no message naming SSL_CERT_FILE: {log:#?}"
    );
}
