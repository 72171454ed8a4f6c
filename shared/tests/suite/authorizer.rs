//! `authtoken::authorizer`: the API Gateway Lambda authorizer's decisions on the memory store and
//! on DynamoDB: allowed with the username for a live key; denied for every header whoami
//! refuses, for an expired and a logged-out key; and a store fault is an error, never a
//! decision. The authorizer binary's own run is in
//! functions/tests/suite/authorizer.rs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::admin;
use authtoken::authorizer::{Decision, Grant, USERNAME_KEY, authorize};
use authtoken::clock;
use authtoken::config::Settings;
use authtoken::secrets::password::Password;
use authtoken::secrets::token::TokenKey;
use authtoken::store::memory::MemoryStore;
use authtoken::store::{NewToken, Store, StoreError};
use serde_json::json;
use testkit::events::authorizer_request;
use testkit::fault_proxy::{Fault, FaultProxy};

/// A store holding an active `admin` with a token, and admin's key.
async fn with_admin<S: Store>(store: S) -> (S, String) {
    admin::create_user(&store, "admin", Password::new("password"), true)
        .await
        .unwrap();
    let key = admin::issue_token(&store, &Settings::default(), "admin", false)
        .await
        .unwrap();
    (store, key.key.expose().to_owned())
}

/// The authorizer's answer, under the default settings, to a request with this `Authorization`
/// header (none for `None`).
async fn decide(store: &impl Store, header: Option<&str>) -> Result<Decision, StoreError> {
    let request = authorizer_request(header.map(str::as_bytes));
    authorize(store, &Settings::default(), &request).await
}

fn allowed(username: &str) -> Decision {
    let mut decision = Decision::default();
    decision.is_authorized = true;
    decision.context = Grant {
        username: Some(username.to_owned()),
    };
    decision
}

async fn a_live_key_is_allowed_with_its_username(store: &impl Store, key: &str) {
    for header in [format!("Token {key}"), format!("token\t{key}")] {
        let decision = decide(store, Some(&header)).await.unwrap();
        assert_eq!(decision, allowed("admin"), "{header}");
    }
}

async fn what_whoami_refuses_is_denied(store: &impl Store, key: &str) {
    let unknown = "0123456789abcdef0123456789abcdef01234567";
    let headers: [Option<&[u8]>; 7] = [
        None,
        Some(b"Bearer abc"),
        Some(b"Token"),
        Some(b"Token a b"),
        Some(b"Token \xff\xfe"),
        Some(format!("Token {unknown}").leak().as_bytes()),
        Some(format!("Token {}", key.to_uppercase()).leak().as_bytes()),
    ];
    for header in headers {
        let decision = authorize(store, &Settings::default(), &authorizer_request(header))
            .await
            .unwrap();
        assert_eq!(decision, Decision::default(), "{header:?}");
    }
}

async fn expired_and_logged_out_keys_are_denied(store: &impl Store, key: &str) {
    admin::create_user(store, "late", Password::new("password"), true)
        .await
        .unwrap();
    let expired = NewToken {
        key: TokenKey::generate(authtoken::secrets::token::TokenFormat::Hex),
        created: clock::now() - 20,
        expires: Some(clock::now() - 10),
    };
    assert!(testkit::keys::install(store, "late", &expired).await);
    let header = format!("Token {}", expired.key.expose());
    let decision = decide(store, Some(&header)).await.unwrap();
    assert_eq!(decision, Decision::default(), "expired");

    assert_eq!(
        admin::revoke_tokens(store, "admin", &admin::WhichTokens::Only)
            .await
            .unwrap(),
        1
    );
    let header = format!("Token {key}");
    let decision = decide(store, Some(&header)).await.unwrap();
    assert_eq!(decision, Decision::default(), "logged out");
}

#[test]
fn the_simple_response_is_api_gateways_shape() {
    assert_eq!(
        serde_json::to_value(allowed("admin")).unwrap(),
        json!({ "isAuthorized": true, "context": { USERNAME_KEY: "admin" } })
    );
    assert_eq!(
        serde_json::to_value(Decision::default()).unwrap(),
        json!({ "isAuthorized": false, "context": {} })
    );
}

#[tokio::test]
async fn memory_store() {
    let (store, key) = with_admin(MemoryStore::new()).await;
    a_live_key_is_allowed_with_its_username(&store, &key).await;
    what_whoami_refuses_is_denied(&store, &key).await;
    expired_and_logged_out_keys_are_denied(&store, &key).await;
}

#[tokio::test]
async fn dynamodb_store() {
    let (store, key) = with_admin(testkit::dynamo::fresh_store().await).await;
    a_live_key_is_allowed_with_its_username(&store, &key).await;
    what_whoami_refuses_is_denied(&store, &key).await;
    expired_and_logged_out_keys_are_denied(&store, &key).await;
}

#[tokio::test]
async fn a_store_fault_is_an_error_never_a_decision() {
    let (direct, key) = with_admin(testkit::dynamo::fresh_store().await).await;
    let proxy = FaultProxy::start(testkit::dynamo::endpoint()).await;
    let store = testkit::dynamo::store(
        testkit::dynamo::client_via(&proxy.endpoint()),
        direct.tables().clone(),
    );
    let header = format!("Token {key}");
    for fault in [
        Fault::ServerError,
        Fault::Error("ProvisionedThroughputExceededException"),
        Fault::Error("AccessDeniedException"),
    ] {
        proxy.inject("GetItem", fault, None);
        let outcome = decide(&store, Some(&header)).await;
        assert!(
            matches!(
                outcome,
                Err(StoreError::Unavailable(_) | StoreError::Failed(_))
            ),
            "{outcome:?}"
        );
        proxy.heal();
    }
    assert!(proxy.faults_applied() >= 3, "the faults were injected");
    let decision = decide(&store, Some(&header)).await.unwrap();
    assert_eq!(decision, allowed("admin"));
}
