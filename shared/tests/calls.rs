//! DynamoDB operations per request, counted by an SDK interceptor: whoami one read, login of a
//! user with a token one read, login creating a token a read and a transaction, logout at most
//! two, and nothing at all for requests refused before the store is needed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::Ctx;
use authtoken::admin;
use authtoken::config::Settings;
use authtoken::password::Password;
use authtoken::store::dynamo::DynamoStore;
use serde_json::json;
use testkit::app::{ADMIN, TestApp, TestRequest};
use testkit::dynamo::OperationLog;

async fn recorded_app() -> (TestApp, OperationLog) {
    let tables = testkit::dynamo::fresh_store().await.tables().clone();
    let (client, log) = testkit::dynamo::recording_client();
    let store = DynamoStore::new(client, tables);
    admin::create_user(&store, ADMIN.0, Password::new(ADMIN.1), true)
        .await
        .unwrap();
    log.take();
    let app = TestApp::Dynamo(Ctx {
        store,
        settings: Settings::default(),
    });
    (app, log)
}

fn login_json(password: &str) -> TestRequest {
    TestRequest::post("/api-token-auth/")
        .json(&json!({ "username": ADMIN.0, "password": password }))
}

#[tokio::test]
async fn each_endpoint_makes_the_fewest_calls() {
    let (app, log) = recorded_app().await;

    let token = app.login(ADMIN).await;
    assert_eq!(log.take(), ["GetItem", "TransactWriteItems"], "first login");

    assert_eq!(app.login(ADMIN).await, token);
    assert_eq!(log.take(), ["GetItem"], "login of a user who has a token");

    app.whoami(&token)
        .await
        .assert(200, json!({ "username": "admin" }));
    assert_eq!(log.take(), ["GetItem"], "whoami");

    app.send(login_json("wrong")).await;
    assert_eq!(log.take(), ["GetItem"], "wrong password");

    app.logout(&token)
        .await
        .assert(200, json!({ "username": null }));
    assert_eq!(log.take(), ["GetItem", "TransactWriteItems"], "logout");

    app.whoami(&token).await.assert_401("Invalid token.");
    assert_eq!(log.take(), ["GetItem"], "whoami with a deleted key");
}

#[tokio::test]
async fn requests_refused_before_the_store_make_no_call() {
    let (app, log) = recorded_app().await;
    let refused = [
        TestRequest::get("/api/whoami/"),
        TestRequest::get("/api/whoami/").header("Authorization", "Token"),
        TestRequest::get("/api/whoami/").header("Authorization", "Token a b"),
        TestRequest::get("/api/whoami/").header("Authorization", "Token not-a-key"),
        TestRequest::post("/api/logout/").header("Authorization", "Bearer x"),
        TestRequest::post("/api/whoami/"),
        TestRequest::get("/api/whoami/").header("Accept", "text/csv"),
        TestRequest::post("/api-token-auth/").body("application/json", "{"),
        TestRequest::post("/api-token-auth/").json(&json!({ "username": "admin" })),
        TestRequest::post("/api-token-auth/").body("text/plain", "x"),
        TestRequest::get("/api-token-auth/"),
        TestRequest::new("OPTIONS", "/api/logout/"),
        login_json(&"p".repeat(5000)),
    ];
    for request in refused {
        let response = app.send(request.clone()).await;
        assert!(
            response.status >= 200 && response.status < 500,
            "{request:?}"
        );
        assert_eq!(
            log.take(),
            Vec::<String>::new(),
            "{request:?} -> {}",
            response.status
        );
    }
}
