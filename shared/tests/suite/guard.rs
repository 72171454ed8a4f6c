//! `authtoken::guard`: a team's own handler behind the tokens, on the memory store and on
//! DynamoDB, with the contract's exact refusals, and a store fault answered 503, never 401.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use authtoken::Ctx;
use authtoken::admin;
use authtoken::config::Settings;
use authtoken::guard::{Caller, guard};
use authtoken::secrets::password::Password;
use authtoken::store::Store;
use authtoken::store::memory::MemoryStore;
use lambda_http::tower::ServiceExt;
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use testkit::events::Answer;
use testkit::fault_proxy::{Fault, FaultProxy};

/// A store holding `admin`, and admin's key.
async fn with_admin<S: Store>(store: S) -> (Ctx<S>, String) {
    admin::create_user(&store, "admin", Password::new("password"), true)
        .await
        .unwrap();
    let settings = Settings::default();
    let key = admin::issue_token(&store, &settings, "admin", false)
        .await
        .unwrap();
    let key = key.key.expose().to_owned();
    (Ctx::new(store, settings), key)
}

/// Sends `authorization` (if any) through the guard to a handler that greets its caller;
/// returns the answer and how many times the handler ran.
async fn guarded<S: Store>(ctx: &Ctx<S>, authorization: Option<&[u8]>) -> (Answer, usize) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let handler = move |_request: Request, caller: Caller| {
        let calls = Arc::clone(&counted);
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            let body = json!({ "hello": caller.username }).to_string();
            Ok::<_, Infallible>(Response::new(Body::from(body)))
        }
    };
    let mut request = http::Request::builder().uri("/orders");
    if let Some(value) = authorization {
        request = request.header(
            "Authorization",
            http::HeaderValue::from_bytes(value).unwrap(),
        );
    }
    let request: Request = request.body(Body::Empty).unwrap();
    let response = guard(ctx, handler).oneshot(request).await.unwrap();
    (
        Answer::from_response(response),
        calls.load(Ordering::SeqCst),
    )
}

async fn the_caller_reaches_the_handler(ctx: &Ctx<impl Store>, key: &str) {
    let (answer, calls) = guarded(ctx, Some(format!("Token {key}").as_bytes())).await;
    assert_eq!((answer.status, calls), (200, 1), "{answer:?}");
    let body: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body, json!({ "hello": "admin" }));
    // The keyword in any case, any whitespace, as DRF.
    let (answer, _) = guarded(ctx, Some(format!("token\t{key}").as_bytes())).await;
    assert_eq!(answer.status, 200, "{answer:?}");
}

async fn refusals_are_the_contracts_and_skip_the_handler(ctx: &Ctx<impl Store>, key: &str) {
    let unknown = "0123456789abcdef0123456789abcdef01234567";
    let cases: [(Option<&[u8]>, &str); 7] = [
        (None, "Authentication credentials were not provided."),
        (
            Some(b"Bearer abc"),
            "Authentication credentials were not provided.",
        ),
        (
            Some(b"Token"),
            "Invalid token header. No credentials provided.",
        ),
        (
            Some(b"Token a b"),
            "Invalid token header. Token string should not contain spaces.",
        ),
        (
            Some(b"Token \xff\xfe"),
            "Invalid token header. Token string should not contain invalid characters.",
        ),
        (
            Some(format!("Token {unknown}").leak().as_bytes()),
            "Invalid token.",
        ),
        (
            Some(format!("Token {}", key.to_uppercase()).leak().as_bytes()),
            "Invalid token.",
        ),
    ];
    for (header, message) in cases {
        let (answer, calls) = guarded(ctx, header).await;
        assert_eq!((answer.status, calls), (401, 0), "{header:?}: {answer:?}");
        assert_eq!(answer.www_authenticate.as_deref(), Some("Token"));
        assert_eq!(answer.content_type.as_deref(), Some("application/json"));
        let body: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(body, json!({ "detail": message }), "{header:?}");
    }
}

async fn a_logged_out_key_is_refused(ctx: &Ctx<impl Store>, key: &str) {
    assert_eq!(
        admin::revoke_tokens(&ctx.store, "admin", &admin::WhichTokens::Only)
            .await
            .unwrap(),
        1
    );
    let (answer, calls) = guarded(ctx, Some(format!("Token {key}").as_bytes())).await;
    assert_eq!((answer.status, calls), (401, 0), "{answer:?}");
    assert_eq!(answer.body, r#"{"detail":"Invalid token."}"#);
}

#[tokio::test]
async fn memory_store() {
    let (ctx, key) = with_admin(MemoryStore::new()).await;
    the_caller_reaches_the_handler(&ctx, &key).await;
    refusals_are_the_contracts_and_skip_the_handler(&ctx, &key).await;
    a_logged_out_key_is_refused(&ctx, &key).await;
}

#[tokio::test]
async fn dynamodb_store() {
    let (ctx, key) = with_admin(testkit::dynamo::fresh_store().await).await;
    the_caller_reaches_the_handler(&ctx, &key).await;
    refusals_are_the_contracts_and_skip_the_handler(&ctx, &key).await;
    a_logged_out_key_is_refused(&ctx, &key).await;
}

#[tokio::test]
async fn a_store_fault_is_503_never_401_and_never_the_handler() {
    let direct = testkit::dynamo::fresh_store().await;
    let (_, key) = with_admin(direct.clone()).await;
    let proxy = FaultProxy::start(testkit::dynamo::endpoint()).await;
    let store = testkit::dynamo::store(
        testkit::dynamo::client_via(&proxy.endpoint()),
        direct.tables().clone(),
    );
    let ctx = Ctx::new(store, Settings::default());
    proxy.inject("GetItem", Fault::ServerError, None);
    let (answer, calls) = guarded(&ctx, Some(format!("Token {key}").as_bytes())).await;
    assert_eq!((answer.status, calls), (503, 0), "{answer:?}");
    assert_eq!(answer.www_authenticate, None);
    assert!(proxy.faults_applied() > 0, "the fault was injected");
    proxy.heal();
    let (answer, calls) = guarded(&ctx, Some(format!("Token {key}").as_bytes())).await;
    assert_eq!((answer.status, calls), (200, 1), "{answer:?}");
}
