//! Login lockout (testkit's lockout cases) on the handlers over the memory store and over
//! DynamoDB (moto, fresh tables per test). The same cases run through `authtoken serve` over
//! HTTP in the CLI's tests.

testkit::lockout_suite!(memory, testkit::app::TestApp::memory);
testkit::lockout_suite!(dynamo, testkit::app::TestApp::dynamo);

use serde_json::json;
use testkit::app::{ADMIN, TestApp, TestRequest};

/// A lock set off by one source's failures stops that source, not a right password from a
/// source that has not failed on the name, until failures from any sources reach the
/// account-wide threshold, which locks the name for all. (The handlers' apps only: over HTTP
/// every request comes from the test's own address.)
async fn a_lock_stops_the_sources_that_failed_until_the_account_wide_threshold(app: TestApp) {
    let login = |password: &str, source: &str| {
        TestRequest::post("/api-token-auth/")
            .json(&json!({ "username": ADMIN.0, "password": password }))
            .from_source(source)
    };
    let (attacker, owner, third) = ("203.0.113.1", "198.51.100.2", "192.0.2.4");
    for _ in 0..3 {
        assert_eq!(app.send(login("wrong", attacker)).await.status, 400);
    }
    assert_eq!(
        app.send(login(ADMIN.1, attacker)).await.status,
        429,
        "the attacker is locked out"
    );
    assert_eq!(
        app.send(login(ADMIN.1, owner)).await.status,
        200,
        "the owner is not"
    );

    // The owner's success forgave the count. The attacker fails three times again; sources that
    // have not failed still get their password checked (once each: then they have failed too),
    // until six failures from any sources lock the name for every source.
    for _ in 0..3 {
        assert_eq!(app.send(login("wrong", attacker)).await.status, 400);
    }
    for source in ["192.0.2.10", "192.0.2.11", "192.0.2.12"] {
        assert_eq!(
            app.send(login("wrong", source)).await.status,
            400,
            "{source}"
        );
        assert_eq!(
            app.send(login("wrong", source)).await.status,
            429,
            "{source} has failed"
        );
    }
    assert_eq!(
        app.send(login(ADMIN.1, third)).await.status,
        429,
        "locked for all"
    );
}

#[tokio::test]
async fn a_lock_stops_the_sources_that_failed_until_the_account_wide_threshold_memory() {
    let app = TestApp::memory(testkit::lockout::few_per_source()).await;
    a_lock_stops_the_sources_that_failed_until_the_account_wide_threshold(app).await;
}

#[tokio::test]
async fn a_lock_stops_the_sources_that_failed_until_the_account_wide_threshold_dynamo() {
    let app = TestApp::dynamo(testkit::lockout::few_per_source()).await;
    a_lock_stops_the_sources_that_failed_until_the_account_wide_threshold(app).await;
}
