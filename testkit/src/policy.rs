//! The token policies' cases, each a function of the app it runs on (memory store, DynamoDB,
//! `authtoken serve` over HTTP), declared for each with [`policy_suite!`](crate::policy_suite).
//! Under per-login (knox's): a new token per login, answered as `{"expiry", "token"}`; logout
//! ends the presented token only; logout-all ends them all; the limit per user holds under
//! concurrent logins and does not count expired tokens. Logout-all under per-user too.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use authtoken::config::Settings;
use authtoken::policy::TokenPolicy;
use serde_json::{Value, json};

use crate::app::{ADMIN, BOB, TestApp, TestRequest, TestResponse, drf_settings, within};

/// Declares, in a module named `$module`, one test per policy case, each on an app that `$make`
/// builds from the case's settings (`async fn(Settings) -> TestApp`).
#[macro_export]
macro_rules! policy_suite {
    ($module:ident, $make:expr) => {
        mod $module {
            $crate::policy_suite!(@case $make, $crate::policy::per_login;
                every_login_issues_a_new_token_answered_in_knoxs_shape,
                a_logout_ends_only_the_presented_token,
                logout_all_ends_every_token_of_the_user_and_no_other,
            );
            $crate::policy_suite!(@case $make, $crate::policy::per_login_expiring;
                the_expiry_is_answered_in_iso_8601_utc,
            );
            $crate::policy_suite!(@case $make, $crate::policy::limited;
                the_limit_holds_under_concurrent_logins,
            );
            $crate::policy_suite!(@case $make, $crate::policy::limited_short_lived;
                expired_tokens_do_not_count_toward_the_limit,
            );
            $crate::policy_suite!(@case $make, $crate::app::drf_settings;
                logout_all_under_per_user_ends_the_one_token,
            );
        }
    };
    (@case $make:expr, $settings:path; $($name:ident,)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let app = ($make)($settings()).await;
                $crate::policy::$name(app).await
            }
        )*
    };
}

/// Per-login, no limit, tokens that never expire.
pub fn per_login() -> Settings {
    Settings {
        token_policy: TokenPolicy::PerLogin { limit: None },
        ..drf_settings()
    }
}

/// Per-login with tokens that live an hour.
pub fn per_login_expiring() -> Settings {
    Settings {
        token_ttl_seconds: Some(3600),
        ..per_login()
    }
}

/// The limit of [`limited`].
pub const LIMIT: u32 = 3;

/// Per-login, at most [`LIMIT`] tokens per user.
pub fn limited() -> Settings {
    Settings {
        token_policy: TokenPolicy::PerLogin { limit: Some(LIMIT) },
        ..drf_settings()
    }
}

/// Lifetime of tokens in [`expired_tokens_do_not_count_toward_the_limit`]. Expiry is by whole
/// seconds, so a token lives between `SHORT_TTL - 1` and `SHORT_TTL` seconds: at least two,
/// ample for the checks made before it expires, even on a slow machine.
pub const SHORT_TTL: u64 = 3;

/// Per-login, one token per user, living [`SHORT_TTL`] seconds.
pub fn limited_short_lived() -> Settings {
    Settings {
        token_policy: TokenPolicy::PerLogin { limit: Some(1) },
        token_ttl_seconds: Some(SHORT_TTL),
        ..drf_settings()
    }
}

/// Concurrent logins of one user in [`the_limit_holds_under_concurrent_logins`].
pub const CONCURRENT_LOGINS: usize = 10;

fn login(username: &str, password: &str) -> TestRequest {
    TestRequest::post("/api-token-auth/")
        .json(&json!({ "username": username, "password": password }))
}

/// Asserts knox's answer to a login beyond the limit.
#[track_caller]
fn assert_limit_reached(answer: &TestResponse) {
    answer.assert(
        403,
        json!({ "error": "Maximum amount of tokens allowed per user exceeded." }),
    );
}

/// The key of a successful per-login login, after checking knox's shape: `expiry` then `token`.
#[track_caller]
fn token_of(answer: &TestResponse) -> (String, Value) {
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.assert_json_headers();
    assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));
    let text = answer.text();
    assert!(text.starts_with("{\"expiry\":"), "expiry first: {text}");
    let body = answer.json();
    let fields: Vec<&String> = body.as_object().expect("an object").keys().collect();
    assert_eq!(fields.len(), 2, "{body}");
    let token = body["token"].as_str().expect("a token").to_owned();
    (token, body["expiry"].clone())
}

async fn assert_authenticates(app: &TestApp, token: &str, username: &str) {
    app.whoami(token)
        .await
        .assert(200, json!({ "username": username }));
}

/// Three logins, three tokens, all valid at once; no expiry (`null`) without a TTL.
pub async fn every_login_issues_a_new_token_answered_in_knoxs_shape(app: TestApp) {
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let (token, expiry) = token_of(&app.send(login(ADMIN.0, ADMIN.1)).await);
        assert_eq!(expiry, Value::Null);
        assert!(!tokens.contains(&token), "a new token each time");
        tokens.push(token);
    }
    for token in &tokens {
        assert_authenticates(&app, token, ADMIN.0).await;
    }
}

/// With a TTL, `expiry` is when the token stops working: RFC 3339 in UTC, as DRF writes it.
pub async fn the_expiry_is_answered_in_iso_8601_utc(app: TestApp) {
    let before = SystemTime::now();
    let (token, expiry) = token_of(&app.send(login(ADMIN.0, ADMIN.1)).await);
    let text = expiry.as_str().expect("an expiry");
    assert!(text.ends_with('Z') && text.len() == 20, "{text}");
    let at = humantime::parse_rfc3339(text).expect("RFC 3339");
    let lifetime = at.duration_since(before).expect("in the future");
    // Whole seconds, and however long the login took on a slow machine.
    assert!(
        (3598..=3630).contains(&lifetime.as_secs()),
        "{text}: {lifetime:?}"
    );
    assert_authenticates(&app, &token, ADMIN.0).await;
}

/// logout ends the presented token; the user's other tokens keep working.
pub async fn a_logout_ends_only_the_presented_token(app: TestApp) {
    let mut issued = Vec::new();
    for _ in 0..3 {
        issued.push(token_of(&app.send(login(ADMIN.0, ADMIN.1)).await).0);
    }
    app.logout(&issued[0])
        .await
        .assert(200, json!({ "username": null }));
    app.whoami(&issued[0]).await.assert_401("Invalid token.");
    app.logout(&issued[0]).await.assert_401("Invalid token.");
    for token in &issued[1..] {
        assert_authenticates(&app, token, ADMIN.0).await;
    }
}

/// logout-all ends every token of the caller's user, and nobody else's.
pub async fn logout_all_ends_every_token_of_the_user_and_no_other(app: TestApp) {
    let mut issued = Vec::new();
    for _ in 0..4 {
        issued.push(token_of(&app.send(login(ADMIN.0, ADMIN.1)).await).0);
    }
    let (bobs, _) = token_of(&app.send(login(BOB.0, BOB.1)).await);
    app.logoutall(&issued[2])
        .await
        .assert(200, json!({ "username": null }));
    for token in &issued {
        app.whoami(token).await.assert_401("Invalid token.");
    }
    app.logoutall(&issued[0]).await.assert_401("Invalid token.");
    app.logoutall("")
        .await
        .assert_401("Invalid token header. No credentials provided.");
    assert_authenticates(&app, &bobs, BOB.0).await;
    // And the user can log in again.
    let (again, _) = token_of(&app.send(login(ADMIN.0, ADMIN.1)).await);
    assert_authenticates(&app, &again, ADMIN.0).await;
}

/// Under per-user (DRF), logout-all ends the one token, like logout.
pub async fn logout_all_under_per_user_ends_the_one_token(app: TestApp) {
    let token = app.login(ADMIN).await;
    app.logoutall(&token)
        .await
        .assert(200, json!({ "username": null }));
    app.whoami(&token).await.assert_401("Invalid token.");
    let again = app.login(ADMIN).await;
    assert_ne!(again, token);
    assert_authenticates(&app, &again, ADMIN.0).await;
}

/// N concurrent logins under a limit of L: exactly L tokens, knox's 403 for the others; a
/// wrong password still gets DRF's 400; a logout frees a place.
pub async fn the_limit_holds_under_concurrent_logins(app: TestApp) {
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..CONCURRENT_LOGINS)
        .map(|_| {
            let app = Arc::clone(&app);
            tokio::spawn(async move { app.send(login(ADMIN.0, ADMIN.1)).await })
        })
        .collect();
    let mut issued = Vec::new();
    for task in tasks {
        let answer = within(120, task).await.expect("login task");
        match answer.status {
            200 => issued.push(token_of(&answer).0),
            _ => assert_limit_reached(&answer),
        }
    }
    assert_eq!(issued.len(), LIMIT as usize, "exactly the limit");
    for token in &issued {
        assert_authenticates(&app, token, ADMIN.0).await;
    }
    assert_limit_reached(&app.send(login(ADMIN.0, ADMIN.1)).await);
    app.send(login(ADMIN.0, "wrong")).await.assert(
        400,
        json!({ "non_field_errors": ["Unable to log in with provided credentials."] }),
    );
    app.logout(&issued[0])
        .await
        .assert(200, json!({ "username": null }));
    token_of(&app.send(login(ADMIN.0, ADMIN.1)).await);
    assert_limit_reached(&app.send(login(ADMIN.0, ADMIN.1)).await);
}

/// A limit of 1 and tokens of [`SHORT_TTL`] seconds: once the token has expired, a login
/// succeeds again.
pub async fn expired_tokens_do_not_count_toward_the_limit(app: TestApp) {
    let (first, _) = token_of(&app.send(login(ADMIN.0, ADMIN.1)).await);
    assert_limit_reached(&app.send(login(ADMIN.0, ADMIN.1)).await);
    // Whole seconds: the token is expired at most SHORT_TTL seconds after it was issued.
    tokio::time::sleep(Duration::from_millis(SHORT_TTL * 1000 + 200)).await;
    app.whoami(&first).await.assert_401("Invalid token.");
    let (second, _) = token_of(&app.send(login(ADMIN.0, ADMIN.1)).await);
    assert_authenticates(&app, &second, ADMIN.0).await;
    assert_limit_reached(&app.send(login(ADMIN.0, ADMIN.1)).await);
}
