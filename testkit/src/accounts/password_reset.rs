//! djoser's password reset by email: the request (204 whoever has the address, the link sent
//! by the mail worker to the test outbox), and the link's use (djoser's checks and messages,
//! once only, and never after a login or a newer link).

use authtoken::config::Settings;
use authtoken::endpoint::{RESET_PASSWORD, RESET_PASSWORD_CONFIRM};
use serde_json::{Value, json};

use super::{NEW_PASSWORD, UNABLE, assert_no_content, me};
use crate::app::{ADMIN, BOB, TestApp, TestRequest, drf_settings};
use crate::mail::{self, Received, SENDER};

const REQUIRED: &str = "This field is required.";
const INVALID_UID: &str = "Invalid user id or user doesn't exist.";
const INVALID_TOKEN: &str = "Invalid token for given user.";

/// Resets as deployed: an hour's links, 3 requests per address an hour.
pub fn resettable() -> Settings {
    drf_settings()
}

/// `PASSWORD_RESET_CONFIRM_RETYPE=true`.
pub fn reset_retyped() -> Settings {
    let mut settings = drf_settings();
    settings.mail.reset_confirm_retype = true;
    settings
}

fn reset(body: Value) -> TestRequest {
    TestRequest::post(&RESET_PASSWORD.slashed_path()).json(&body)
}

fn confirm(body: Value) -> TestRequest {
    TestRequest::post(&RESET_PASSWORD_CONFIRM.slashed_path()).json(&body)
}

/// Gives `user` (logged in with `key`) a fresh address of their own; returns it.
async fn with_address(app: &TestApp, key: &str, label: &str) -> String {
    let address = mail::address(label);
    let response = app
        .send(me("PATCH", key).json(&json!({ "email": address })))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    address
}

/// Asks for a reset of `address` and waits for the `count`-th email to it.
async fn reset_link(app: &TestApp, address: &str, count: usize) -> Received {
    assert_no_content(&app.send(reset(json!({ "email": address }))).await);
    mail::wait_for(address, count).await.remove(count - 1)
}

/// A reset asked for in another case than stored gets the user a link in djoser's words,
/// which sets the password once, with every key of theirs revoked.
pub async fn a_reset_link_sets_the_password_once_and_ends_every_session(app: TestApp) {
    let key = app.login(ADMIN).await;
    let address = with_address(&app, &key, "Admin.Reset").await;
    let asked = app
        .send(reset(json!({ "email": address.to_uppercase() })))
        .await;
    assert_no_content(&asked);
    assert_eq!(asked.header("allow").as_deref(), Some("POST, OPTIONS"));
    let email = mail::wait_for(&address, 1).await.remove(0);
    assert_eq!(email.from, SENDER);
    assert_eq!(email.subject, "Password reset on app.example.com");
    assert!(
        email
            .text
            .starts_with("You're receiving this email because you requested a password reset"),
        "{}",
        email.text
    );
    assert!(
        email
            .text
            .contains("Your username, in case you've forgotten: admin")
    );
    assert!(
        email
            .url()
            .starts_with("https://app.example.com/#/password/reset/confirm/MQ/"),
        "{}",
        email.url()
    );
    assert!(
        email
            .html
            .contains(&format!("<a href=\"{}\">", email.url()))
    );
    let (uid, token) = email.link();
    let used = json!({ "uid": uid, "token": token, "new_password": NEW_PASSWORD });
    assert_no_content(&app.send(confirm(used.clone())).await);
    app.whoami(&key).await.assert_401("Invalid token.");
    app.send(TestRequest::post("/api-token-auth/").json(&json!({
        "username": ADMIN.0, "password": ADMIN.1
    })))
    .await
    .assert(400, json!({ "non_field_errors": [UNABLE] }));
    app.login((ADMIN.0, NEW_PASSWORD)).await;
    app.send(confirm(used))
        .await
        .assert(400, json!({ "token": [INVALID_TOKEN] }));
}

/// The request answers 204 to any valid address, and nothing reaches an address no user has;
/// an invalid one gets DRF's `EmailField` messages.
pub async fn reset_password_answers_204_whoever_has_the_address(app: TestApp) {
    let nobody = mail::address("nobody");
    assert_no_content(&app.send(reset(json!({ "email": nobody }))).await);
    let key = app.login(BOB).await;
    let address = with_address(&app, &key, "bob").await;
    reset_link(&app, &address, 1).await;
    // The worker takes requests in order: the first one is done.
    assert!(mail::sent_to(&nobody).is_empty());
    for (body, message) in [
        (json!({}), REQUIRED),
        (json!({ "email": "" }), "This field may not be blank."),
        (json!({ "email": null }), "This field may not be null."),
        (json!({ "email": "bob@" }), "Enter a valid email address."),
        (json!({ "email": 5 }), "Enter a valid email address."),
    ] {
        app.send(reset(body.clone()))
            .await
            .assert(400, json!({ "email": [message] }));
    }
    let other = app
        .send(TestRequest::new("GET", &RESET_PASSWORD.slashed_path()))
        .await;
    assert_eq!(other.status, 405, "{}", other.text());
}

/// The confirmation's checks in djoser's order: each field's, Django's validators (which need
/// no user), the uid, the token; then, the link proven, the user's own attributes.
pub async fn reset_confirm_checks_fields_in_djosers_order(app: TestApp) {
    app.send(confirm(json!({}))).await.assert(
        400,
        json!({ "uid": [REQUIRED], "token": [REQUIRED], "new_password": [REQUIRED] }),
    );
    let weak = [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ];
    app.send(confirm(
        json!({ "uid": "!!", "token": "x", "new_password": "1" }),
    ))
    .await
    .assert(400, json!({ "new_password": weak }));
    for uid in ["!!", "OTk5", "", "LTE"] {
        let body = json!({ "uid": uid, "token": "x", "new_password": NEW_PASSWORD });
        let answer = app.send(confirm(body)).await;
        if uid.is_empty() {
            answer.assert(400, json!({ "uid": ["This field may not be blank."] }));
        } else {
            answer.assert(400, json!({ "uid": [INVALID_UID] }));
        }
    }
    let key = app.login(BOB).await;
    let address = with_address(&app, &key, "bob.order").await;
    let (uid, token) = reset_link(&app, &address, 1).await.link();
    app.send(confirm(
        json!({ "uid": uid, "token": "1-00", "new_password": NEW_PASSWORD }),
    ))
    .await
    .assert(400, json!({ "token": [INVALID_TOKEN] }));
    // Similar to the user's address: said only once the link is theirs.
    let similar = json!({ "uid": uid, "token": token, "new_password": address });
    app.send(confirm(similar)).await.assert(
        400,
        json!({ "new_password": ["The password is too similar to the email address."] }),
    );
    assert_no_content(
        &app.send(confirm(
            json!({ "uid": uid, "token": token, "new_password": NEW_PASSWORD }),
        ))
        .await,
    );
}

/// A link dies when its user logs in, and when a newer one is sent.
pub async fn a_reset_link_dies_at_a_login_or_a_newer_link(app: TestApp) {
    let key = app.login(BOB).await;
    let address = with_address(&app, &key, "bob.dies").await;
    let (uid, first) = reset_link(&app, &address, 1).await.link();
    app.login(BOB).await;
    let use_token =
        |token: &str| confirm(json!({ "uid": uid, "token": token, "new_password": NEW_PASSWORD }));
    app.send(use_token(&first))
        .await
        .assert(400, json!({ "token": [INVALID_TOKEN] }));
    let (_, second) = reset_link(&app, &address, 2).await.link();
    let (_, third) = reset_link(&app, &address, 3).await.link();
    app.send(use_token(&second))
        .await
        .assert(400, json!({ "token": [INVALID_TOKEN] }));
    assert_no_content(&app.send(use_token(&third)).await);
}

/// `PASSWORD_RESET_CONFIRM_RETYPE=true`: `re_new_password` is asked for and must match, checked
/// after Django's validators, as djoser does.
pub async fn reset_confirm_can_ask_for_the_password_twice(app: TestApp) {
    app.send(confirm(json!({}))).await.assert(
        400,
        json!({
            "uid": [REQUIRED], "token": [REQUIRED],
            "new_password": [REQUIRED], "re_new_password": [REQUIRED]
        }),
    );
    app.send(confirm(json!({
        "uid": "MQ", "token": "x", "new_password": NEW_PASSWORD, "re_new_password": "other"
    })))
    .await
    .assert(
        400,
        json!({ "non_field_errors": ["The two password fields didn't match."] }),
    );
}
