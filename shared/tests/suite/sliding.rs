//! Sliding expiry (`TOKEN_AUTO_REFRESH`) on the memory store and on DynamoDB (moto): whoami,
//! the authorizer and the guard each move a token's expiry, on its record and on its user (the
//! per-user key's copy, or the per-login entry), so that a login hands the same key back and the
//! per-login limit counts it; no write within the minimum interval; never past the maximum
//! lifetime; logout does not bother. Checked on the stored expiries rather than by waiting for
//! tokens to run out, so that no result depends on the machine's speed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use std::convert::Infallible;
use std::time::Duration;

use authtoken::Ctx;
use authtoken::authorizer::authorize;
use authtoken::config::{Settings, SlidingExpiry};
use authtoken::guard::{Caller, guard};
use authtoken::policy::TokenPolicy;
use authtoken::store::Store;
use authtoken::store::dynamo::DynamoStore;

use authtoken::secrets::token::TokenKey;
use lambda_http::tower::ServiceExt;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use testkit::app::{ADMIN, TestApp, drf_settings};
use testkit::events::authorizer_request;

const TTL: u64 = 3600;

fn sliding(policy: TokenPolicy, min_refresh_seconds: u64, max: Option<u64>) -> Settings {
    Settings {
        token_ttl_seconds: Some(TTL),
        token_policy: policy,
        token_refresh: Some(SlidingExpiry {
            ttl_seconds: TTL,
            min_refresh_seconds,
            max_ttl_seconds: max,
        }),
        ..drf_settings()
    }
}

const PER_LOGIN: TokenPolicy = TokenPolicy::PerLogin { limit: None };

/// The token's expiry on its record and on its user, which must agree.
async fn stored_expiry(app: &TestApp, key: &str) -> u64 {
    let digest = TokenKey::new(key).digest();
    let (record, user) = match app {
        TestApp::Memory(ctx) => (
            ctx.store.token(&digest).await,
            ctx.store.user(ADMIN.0).await,
        ),
        TestApp::Dynamo(ctx) => (
            ctx.store.token(&digest).await,
            ctx.store.user(ADMIN.0).await,
        ),
        TestApp::Http(_) | TestApp::Remote(_) => unreachable!("store apps only"),
    };
    let record = record.unwrap().expect("the token's record");
    let user = user.unwrap().expect("the user");
    let on_user = match &user.per_user_token {
        Some(token) if token.key.digest() == digest => token.expires,
        _ => {
            user.per_login_tokens
                .iter()
                .find(|issued| issued.digest == digest)
                .expect("the user lists the token")
                .expires
        }
    };
    assert_eq!(record.expires, on_user, "the record and the user agree");
    record.expires.expect("an expiring token")
}

/// Long enough for the clock to pass a whole second, so that a renewal moves the expiry.
async fn a_second_later() {
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

/// Logs in, then a second later calls whoami with the key: the key and its expiry at issue.
async fn login_then_whoami_a_second_later(app: &TestApp) -> (String, u64) {
    let key = app.login(ADMIN).await;
    let issued = stored_expiry(app, &key).await;
    a_second_later().await;
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
    (key, issued)
}

async fn whoami_renews_on_the_record_and_the_user(app: TestApp, per_user: bool) {
    let (key, issued) = login_then_whoami_a_second_later(&app).await;
    let renewed = stored_expiry(&app, &key).await;
    assert!(renewed > issued, "{renewed} > {issued}");
    if per_user {
        assert_eq!(app.login(ADMIN).await, key, "login hands the same key back");
        assert_eq!(stored_expiry(&app, &key).await, renewed);
    }
}

async fn no_write_within_the_interval_nor_past_the_maximum(
    make: impl AsyncFn(Settings) -> TestApp,
) {
    for settings in [
        sliding(TokenPolicy::PerUser, 60, None),
        sliding(TokenPolicy::PerUser, 0, Some(TTL)),
    ] {
        let app = make(settings).await;
        let (key, issued) = login_then_whoami_a_second_later(&app).await;
        assert_eq!(stored_expiry(&app, &key).await, issued);
    }
}

async fn renewals_beyond_whoami<S: Store>(ctx: &Ctx<S>, app: &TestApp) {
    let key = app.login(ADMIN).await;
    let issued = stored_expiry(app, &key).await;
    a_second_later().await;
    let header = format!("Token {key}");
    let decision = authorize(
        &ctx.store,
        &ctx.settings,
        &authorizer_request(Some(header.as_bytes())),
    )
    .await
    .unwrap();
    assert!(decision.is_authorized);
    let by_authorizer = stored_expiry(app, &key).await;
    assert!(by_authorizer > issued);

    a_second_later().await;
    let handler = |_request: Request, caller: Caller| async move {
        Ok::<_, Infallible>(Response::new(Body::from(caller.username)))
    };
    let request = http::Request::builder()
        .uri("/orders")
        .header("Authorization", header.as_str())
        .body(Body::Empty)
        .unwrap();
    let response = guard(ctx, handler).oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let by_guard = stored_expiry(app, &key).await;
    assert!(by_guard > by_authorizer);

    let other = app.login(ADMIN).await;
    let before = stored_expiry(app, &other).await;
    a_second_later().await;
    app.logout(&key)
        .await
        .assert(200, json!({ "username": null }));
    assert_eq!(
        stored_expiry(app, &other).await,
        before,
        "untouched by another's logout"
    );
}

/// A second context on the DynamoDB tables of `app` (to run them under other settings).
fn same_store(app: &TestApp) -> Ctx<DynamoStore> {
    let TestApp::Dynamo(ctx) = app else {
        unreachable!("a DynamoDB app")
    };
    Ctx::new(
        testkit::dynamo::store(testkit::dynamo::client(), ctx.store.tables().clone()),
        ctx.settings.clone(),
    )
}

/// The cases that run on both stores, in a module named `$module`, on apps `$make` builds.
macro_rules! on_both_stores {
    ($module:ident, $make:path) => {
        mod $module {
            use super::*;

            #[tokio::test]
            async fn whoami_renews_a_per_user_token() {
                let app = $make(sliding(TokenPolicy::PerUser, 0, None)).await;
                whoami_renews_on_the_record_and_the_user(app, true).await;
            }

            #[tokio::test]
            async fn whoami_renews_a_per_login_token() {
                let app = $make(sliding(PER_LOGIN, 0, None)).await;
                whoami_renews_on_the_record_and_the_user(app, false).await;
            }

            #[tokio::test]
            async fn renewals_keep_to_the_interval_and_the_maximum() {
                no_write_within_the_interval_nor_past_the_maximum($make).await;
            }
        }
    };
}

on_both_stores!(memory, TestApp::memory);
on_both_stores!(dynamo, TestApp::dynamo);

#[tokio::test]
async fn a_per_user_token_is_renewed_under_per_login_too() {
    // PerLoginToken before a switch of policy: found in its other place.
    let app = TestApp::dynamo(sliding(TokenPolicy::PerUser, 0, None)).await;
    let key = app.login(ADMIN).await;
    let issued = stored_expiry(&app, &key).await;
    let switched = TestApp::Dynamo(std::sync::Arc::new(Ctx {
        settings: sliding(PER_LOGIN, 0, None),
        ..same_store(&app)
    }));
    a_second_later().await;
    switched
        .whoami(&key)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
    assert!(stored_expiry(&app, &key).await > issued);
}

#[tokio::test]
async fn the_authorizer_and_the_guard_renew_and_logout_does_not() {
    for app in [
        TestApp::memory(sliding(PER_LOGIN, 0, None)).await,
        TestApp::dynamo(sliding(PER_LOGIN, 0, None)).await,
    ] {
        match &app {
            TestApp::Memory(ctx) => renewals_beyond_whoami(ctx, &app).await,
            TestApp::Dynamo(ctx) => renewals_beyond_whoami(ctx, &app).await,
            TestApp::Http(_) | TestApp::Remote(_) => unreachable!("store apps only"),
        }
    }
}
