//! DynamoDB misbehaving, through a fault-injecting proxy in front of moto: for each fault the
//! client gets JSON, 503 with `Retry-After` when the fault is transient, never a token that is not
//! stored, and the tables are never left half-written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::Ctx;
use authtoken::admin;
use authtoken::config::Settings;
use authtoken::secrets::password::Password;
use authtoken::store::Store;
use authtoken::store::dynamo::DynamoStore;
use serde_json::json;
use testkit::app::{ADMIN, TestApp, TestResponse, within};
use testkit::fault_proxy::{Fault, FaultProxy};

/// The handlers on DynamoDB through the proxy, and a direct view of the same tables.
struct Faulty {
    app: TestApp,
    proxy: FaultProxy,
    direct: DynamoStore,
}

async fn faulty() -> Faulty {
    let direct = testkit::dynamo::fresh_store().await;
    admin::create_user(&direct, ADMIN.0, Password::new(ADMIN.1), true)
        .await
        .expect("seed");
    let proxy = FaultProxy::start(testkit::dynamo::endpoint()).await;
    let through_proxy = testkit::dynamo::store(
        testkit::dynamo::client_via(&proxy.endpoint()),
        direct.tables().clone(),
    );
    let app = TestApp::Dynamo(std::sync::Arc::new(Ctx::new(
        through_proxy,
        Settings::default(),
    )));
    Faulty { app, proxy, direct }
}

impl Faulty {
    /// A login of the seeded user with the right password, bounded in time.
    async fn attempt_login(&self) -> TestResponse {
        let request = testkit::app::TestRequest::post("/api-token-auth/")
            .json(&json!({ "username": ADMIN.0, "password": ADMIN.1 }));
        within(60, self.app.send(request)).await
    }

    /// Asserts that a login is answered 503 and writes nothing.
    async fn assert_login_unavailable(&self) {
        assert_unavailable(&self.attempt_login().await);
        self.assert_no_token_written().await;
    }

    /// Asserts that whoami, asked about a key, is answered 503.
    async fn assert_whoami_unavailable(&self) {
        let key = "0123456789abcdef0123456789abcdef01234567";
        assert_unavailable(&within(60, self.app.whoami(key)).await);
    }

    /// Asserts that whoami knows `token` as the seeded user's.
    async fn assert_authenticates(&self, token: &str) {
        self.app
            .whoami(token)
            .await
            .assert(200, json!({ "username": ADMIN.0 }));
    }

    /// Asserts that nothing about the user's token was written: no token, no token record.
    async fn assert_no_token_written(&self) {
        let user = self.direct.user(ADMIN.0).await.unwrap().unwrap();
        assert_eq!(user.per_user_token, None, "the user item was half-written");
        let records = self
            .direct
            .client()
            .scan()
            .table_name(&self.direct.tables().tokens)
            .send()
            .await
            .unwrap();
        assert_eq!(records.count(), 0, "a token record was half-written");
    }
}

#[track_caller]
fn assert_unavailable(response: &TestResponse) {
    assert_eq!(response.status, 503, "{}", response.text());
    response.assert_json_headers();
    assert_eq!(response.header("retry-after").as_deref(), Some("1"));
    assert!(response.json()["detail"].is_string(), "{}", response.text());
    assert!(response.json().get("token").is_none());
}

#[tokio::test]
async fn connection_refused_is_503() {
    let direct = testkit::dynamo::fresh_store().await;
    // A port that was free a moment ago: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let store = testkit::dynamo::store(
        testkit::dynamo::client_via(&format!("http://{closed}")),
        direct.tables().clone(),
    );
    let app = TestApp::Dynamo(std::sync::Arc::new(Ctx::new(store, Settings::default())));
    let login = within(
        60,
        app.send(
            testkit::app::TestRequest::post("/api-token-auth/")
                .json(&json!({"username": "admin", "password": "password"})),
        ),
    )
    .await;
    assert_unavailable(&login);
    assert_unavailable(&within(60, app.whoami("0123456789abcdef0123456789abcdef01234567")).await);
}

#[tokio::test]
async fn a_hung_store_times_out_into_503() {
    let faulty = faulty().await;
    faulty.proxy.inject("GetItem", Fault::Hang, None);
    faulty.assert_whoami_unavailable().await;
    assert!(faulty.proxy.faults_applied() >= 1, "the store hung");
}

#[tokio::test]
async fn persistent_throttling_is_503_for_each_kind() {
    for kind in [
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
    ] {
        let faulty = faulty().await;
        faulty.proxy.inject("GetItem", Fault::Error(kind), None);
        faulty.assert_login_unavailable().await;
        faulty.assert_whoami_unavailable().await;
    }
}

#[tokio::test]
async fn a_single_throttle_is_retried_away() {
    let faulty = faulty().await;
    faulty
        .proxy
        .inject("GetItem", Fault::Error("ThrottlingException"), Some(1));
    faulty.proxy.inject(
        "TransactWriteItems",
        Fault::Error("ProvisionedThroughputExceededException"),
        Some(1),
    );
    let token = within(60, faulty.app.login(ADMIN)).await;
    assert_eq!(faulty.proxy.faults_applied(), 2, "both throttles happened");
    faulty.assert_authenticates(&token).await;
}

#[tokio::test]
async fn server_errors_are_503_and_write_nothing() {
    let faulty = faulty().await;
    faulty
        .proxy
        .inject("TransactWriteItems", Fault::ServerError, None);
    faulty.assert_login_unavailable().await;
}

#[tokio::test]
async fn a_transaction_cancelled_midway_is_503_and_writes_nothing() {
    let faulty = faulty().await;
    faulty.proxy.inject(
        "TransactWriteItems",
        Fault::CancelTransaction(&["None", "ThrottlingError"]),
        None,
    );
    faulty.assert_login_unavailable().await;
}

#[tokio::test]
async fn a_lost_answer_after_the_write_still_returns_the_stored_token() {
    let faulty = faulty().await;
    // The transaction is applied, but its answer never arrives: the SDK retries, the retry's
    // conditions fail, and login reads back the token its first attempt stored.
    faulty
        .proxy
        .inject("TransactWriteItems", Fault::DropResponse, Some(1));
    let token = within(60, faulty.app.login(ADMIN)).await;
    assert_eq!(faulty.proxy.faults_applied(), 1, "the answer was dropped");
    faulty.proxy.heal();
    faulty.assert_authenticates(&token).await;
    let stored = faulty
        .direct
        .user(ADMIN.0)
        .await
        .unwrap()
        .unwrap()
        .per_user_token
        .unwrap();
    assert_eq!(
        stored.key.digest(),
        authtoken::secrets::token::TokenKey::new(token.as_str()).digest(),
        "login returned the token that is stored"
    );
}

#[tokio::test]
async fn a_failed_logout_leaves_the_token_whole() {
    let faulty = faulty().await;
    let token = faulty.app.login(ADMIN).await;
    faulty
        .proxy
        .inject("TransactWriteItems", Fault::ServerError, None);
    assert_unavailable(&within(60, faulty.app.logout(&token)).await);
    faulty.proxy.heal();
    faulty.assert_authenticates(&token).await;
    faulty.app.assert_consistent(ADMIN.0).await;
    faulty
        .app
        .logout(&token)
        .await
        .assert(200, json!({ "username": null }));
}

/// The benchmark's replay mode (`FaultProxy::record_answers`, then `replay_answers`): a request
/// recorded is answered from memory, so the store's later changes do not show through it; a new
/// request reaches the store; a logout's transaction, whose SDK idempotency token is random,
/// still counts as a repeat, and so does a logout-all, which reads its user more than once.
#[tokio::test]
async fn replay_answers_repeated_requests_from_memory() {
    let faulty = faulty().await;
    faulty.proxy.record_answers();
    let first = faulty.app.login(ADMIN).await;
    let logged_out = json!({ "username": null });
    faulty
        .app
        .logout(&first)
        .await
        .assert(200, logged_out.clone());
    let user = faulty.direct.user(ADMIN.0).await.unwrap().unwrap();
    assert_eq!(user.per_user_token, None, "the logout reached the store");
    let token = faulty.app.login(ADMIN).await;
    faulty
        .app
        .logoutall(&token)
        .await
        .assert(200, logged_out.clone());
    faulty.proxy.replay_answers();

    // The store no longer has the token, but logout-all is answered from memory.
    faulty
        .app
        .logoutall(&token)
        .await
        .assert(200, logged_out.clone());

    // The store no longer has the first token, but the same logout again is answered from
    // memory.
    faulty.app.logout(&first).await.assert(200, logged_out);

    // A request the proxy has not seen reaches the store.
    const BOB: (&str, &str) = ("bob", "bob's password");
    admin::create_user(&faulty.direct, BOB.0, Password::new(BOB.1), true)
        .await
        .unwrap();
    faulty.app.login(BOB).await;
}
