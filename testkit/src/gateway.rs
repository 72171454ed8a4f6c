//! What the API in front of the functions adds: the Lambda authorizer on the routes that name
//! it. The handlers cannot show it (the gateway calls the authorizer, then the route's
//! function), so these cases run through `sam local start-api` ([`crate::app::TestApp::Remote`],
//! testkit's `check-api`).

use authtoken::manifest::{Function, Kind};
use serde_json::{Value, json};

use crate::app::{ADMIN, TestApp};
use crate::request::{TestRequest, TestResponse};

/// The path of the template's example route behind the authorizer, with its trailing slash
/// (as the README's requests write it).
pub fn example_path() -> String {
    match Function::named("example").map(|function| &function.kind) {
        Some(Kind::BehindAuthorizer { path, .. }) => format!("{path}/"),
        other => panic!("the example function is not behind the authorizer: {other:?}"),
    }
}

/// The example route admits the holder of a live token, with their username from the
/// authorizer, and nobody else: no header gets the gateway's own 401 (the authorizer is not
/// called), a key never issued and a logged-out key get the gateway's 403.
pub async fn the_authorizer_admits_live_tokens_only(app: TestApp) {
    let token = app.login(ADMIN).await;
    let example = || TestRequest::get(&example_path());
    app.send(example().token(&token))
        .await
        .assert(200, json!({ "username": ADMIN.0 }));

    let without_header = app.send(example()).await;
    assert_eq!(
        (without_header.status, without_header.json()),
        (401, json!({ "message": "Unauthorized" })),
        "no Authorization header"
    );
    assert_denied(
        &app.send(example().token(&"0".repeat(40))).await,
        "a key never issued",
    );

    app.logout(&token)
        .await
        .assert(200, json!({ "username": null }));
    assert_denied(&app.send(example().token(&token)).await, "a logged-out key");
}

/// Asserts the gateway's answer to a request the authorizer denied: 403 with a `message`.
/// API Gateway says `Forbidden`; SAM's emulation words it otherwise, so the words are not
/// compared.
#[track_caller]
fn assert_denied(answer: &TestResponse, what: &str) {
    assert_eq!(answer.status, 403, "{what}: {}", answer.text());
    assert!(
        matches!(answer.json().get("message"), Some(Value::String(_))),
        "{what}: {}",
        answer.text()
    );
}
