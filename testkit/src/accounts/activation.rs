//! djoser's activation by email (`SEND_ACTIVATION_EMAIL`): a registered user waits for the
//! emailed link, which activates them (then 403 stale, as djoser answers), a new address through
//! `/auth/users/me/` deactivates until its link is followed, `resend_activation` sends a new
//! link to inactive users only; and the notices (`SEND_CONFIRMATION_EMAIL`,
//! `PASSWORD_CHANGED_EMAIL_CONFIRMATION`).

use authtoken::config::Settings;
use authtoken::endpoint::{ACTIVATION, REGISTER, RESEND_ACTIVATION};
use serde_json::{Value, json};

use super::{BLANK, NEW_PASSWORD, REQUIRED, UNABLE, assert_no_content, change, me, set_password};
use crate::app::{BOB, TestApp, TestRequest, drf_settings};
use crate::mail::{self, Received};

const INVALID_UID: &str = "Invalid user id or user doesn't exist.";
const INVALID_TOKEN: &str = "Invalid token for given user.";
const STALE: &str = "Stale token for given user.";

/// `SEND_ACTIVATION_EMAIL=true`, with registration open.
pub fn activating() -> Settings {
    let mut settings = drf_settings();
    settings.accounts.registration_open = true;
    settings.mail.send_activation = true;
    settings
}

/// [`activating`], with both notices: `SEND_CONFIRMATION_EMAIL` and
/// `PASSWORD_CHANGED_EMAIL_CONFIRMATION`.
pub fn notifying() -> Settings {
    let mut settings = activating();
    settings.mail.send_confirmation = true;
    settings.mail.password_changed_notice = true;
    settings
}

fn register(body: Value) -> TestRequest {
    TestRequest::post(&REGISTER.slashed_path()).json(&body)
}

fn activate((uid, token): (&str, &str)) -> TestRequest {
    TestRequest::post(&ACTIVATION.slashed_path()).json(&json!({ "uid": uid, "token": token }))
}

fn resend(body: Value) -> TestRequest {
    TestRequest::post(&RESEND_ACTIVATION.slashed_path()).json(&body)
}

fn login(username: &str, password: &str) -> TestRequest {
    TestRequest::post("/api-token-auth/")
        .json(&json!({ "username": username, "password": password }))
}

/// Registers `label` (as its name) with a fresh address; returns the address, asserting that the
/// new user cannot log in yet.
async fn registered(app: &TestApp, label: &str) -> String {
    let address = mail::address(label);
    let response = app
        .send(register(
            json!({ "username": label, "password": NEW_PASSWORD, "email": address }),
        ))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    assert_eq!(response.json()["email"], address.as_str());
    app.send(login(label, NEW_PASSWORD))
        .await
        .assert(400, json!({ "non_field_errors": [UNABLE] }));
    address
}

/// The `count`-th email to `address`.
async fn nth_email(address: &str, count: usize) -> Received {
    mail::wait_for(address, count).await.remove(count - 1)
}

/// A registered user is inactive until they follow the link emailed in djoser's words; the link
/// then answers 403 stale until the user logs in, and 400 after.
pub async fn registration_waits_for_the_emailed_activation_link(app: TestApp) {
    let address = registered(&app, "newcomer").await;
    let email = nth_email(&address, 1).await;
    assert_eq!(email.subject, "Account activation on app.example.com");
    assert!(
        email.text.starts_with(
            "You're receiving this email because you need to finish activation process on \
             app.example.com."
        ),
        "{}",
        email.text
    );
    assert!(
        email
            .url()
            .starts_with("https://app.example.com/#/activate/"),
        "{}",
        email.url()
    );
    assert!(email.text.contains("The link works for 1 day."));
    let (uid, token) = email.link();
    let activated = app.send(activate((&uid, &token))).await;
    assert_no_content(&activated);
    assert_eq!(activated.header("allow").as_deref(), Some("POST, OPTIONS"));
    app.send(activate((&uid, &token)))
        .await
        .assert(403, json!({ "detail": STALE }));
    let response = app.send(login("newcomer", NEW_PASSWORD)).await;
    assert_eq!(response.status, 200, "{}", response.text());
    app.send(activate((&uid, &token)))
        .await
        .assert(400, json!({ "token": [INVALID_TOKEN] }));
}

/// Under activation the address is required, as the link must go somewhere.
pub async fn registration_under_activation_needs_an_address(app: TestApp) {
    for (email, message) in [
        (None, REQUIRED),
        (Some(""), BLANK),
        (Some("someone@"), "Enter a valid email address."),
    ] {
        let mut body = json!({ "username": "noaddress", "password": NEW_PASSWORD });
        if let Some(email) = email {
            body["email"] = json!(email);
        }
        app.send(register(body))
            .await
            .assert(400, json!({ "email": [message] }));
    }
}

/// djoser's checks in its order: both fields, the `uid`, the token; other methods 405.
pub async fn activation_checks_fields_in_djosers_order(app: TestApp) {
    app.send(TestRequest::post(&ACTIVATION.slashed_path()).json(&json!({})))
        .await
        .assert(400, json!({ "uid": [REQUIRED], "token": [REQUIRED] }));
    app.send(activate(("", "")))
        .await
        .assert(400, json!({ "uid": [BLANK], "token": [BLANK] }));
    for uid in ["zz", "OTk5", "!!"] {
        app.send(activate((uid, "x")))
            .await
            .assert(400, json!({ "uid": [INVALID_UID] }));
    }
    let address = registered(&app, "orderly").await;
    let (uid, token) = nth_email(&address, 1).await.link();
    app.send(activate((&uid, "1-00")))
        .await
        .assert(400, json!({ "token": [INVALID_TOKEN] }));
    let mut altered = token.clone();
    altered.replace_range(
        token.len() - 1..,
        if token.ends_with('0') { "1" } else { "0" },
    );
    app.send(activate((&uid, &altered)))
        .await
        .assert(400, json!({ "token": [INVALID_TOKEN] }));
    let other = app
        .send(TestRequest::new("GET", &ACTIVATION.slashed_path()))
        .await;
    assert_eq!(other.status, 405, "{}", other.text());
    assert_no_content(&app.send(activate((&uid, &token))).await);
}

/// `resend_activation` answers 204 to any valid address and sends a new link to each inactive
/// user with it (whatever its case), which kills the earlier link; active users get nothing.
pub async fn resend_activation_sends_a_new_link_to_inactive_users_only(app: TestApp) {
    let address = registered(&app, "forgetful").await;
    let (uid, first) = nth_email(&address, 1).await.link();
    let asked = app
        .send(resend(json!({ "email": address.to_uppercase() })))
        .await;
    assert_no_content(&asked);
    let (again, second) = nth_email(&address, 2).await.link();
    assert_eq!(again, uid);
    app.send(activate((&uid, &first)))
        .await
        .assert(400, json!({ "token": [INVALID_TOKEN] }));
    assert_no_content(&app.send(activate((&uid, &second))).await);
    // Active now: a resend sends nothing (the worker takes requests in order, so once an email
    // asked for later has arrived, this one is done).
    assert_no_content(&app.send(resend(json!({ "email": address }))).await);
    let later = registered(&app, "latecomer").await;
    nth_email(&later, 1).await;
    assert_eq!(mail::sent_to(&address).len(), 2);
    for (body, message) in [
        (json!({}), REQUIRED),
        (json!({ "email": "" }), BLANK),
        (
            json!({ "email": "forgetful@" }),
            "Enter a valid email address.",
        ),
    ] {
        app.send(resend(body))
            .await
            .assert(400, json!({ "email": [message] }));
    }
}

/// Under activation a new address through `/auth/users/me/` deactivates the caller, revoking
/// their token, until they follow the link sent to it; the same address changes nothing.
pub async fn a_new_address_waits_for_its_activation_link(app: TestApp) {
    let key = app.login(BOB).await;
    let address = mail::address("bob.moving");
    let response = app
        .send(me("PATCH", &key).json(&json!({ "email": address })))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.json()["email"], address.as_str());
    assert_eq!(response.json()["username"], BOB.0);
    app.whoami(&key).await.assert_401("Invalid token.");
    app.send(login(BOB.0, BOB.1))
        .await
        .assert(400, json!({ "non_field_errors": [UNABLE] }));
    let link = nth_email(&address, 1).await.link();
    assert_no_content(&app.send(activate((&link.0, &link.1))).await);
    let key = app.login(BOB).await;
    let same = app
        .send(me("PATCH", &key).json(&json!({ "email": address })))
        .await;
    assert_eq!(same.status, 200, "{}", same.text());
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": BOB.0 }));
    app.send(me("PATCH", &key).json(&json!({ "email": "" })))
        .await
        .assert(400, json!({ "email": [BLANK] }));
}

/// `SEND_CONFIRMATION_EMAIL`: an activated user is told in djoser's words;
/// `PASSWORD_CHANGED_EMAIL_CONFIRMATION`: so is a user whose password changes.
pub async fn notices_follow_an_activation_and_a_password_change(app: TestApp) {
    let address = registered(&app, "notified").await;
    let (uid, token) = nth_email(&address, 1).await.link();
    assert_no_content(&app.send(activate((&uid, &token))).await);
    let confirmation = nth_email(&address, 2).await;
    assert_eq!(
        confirmation.subject,
        "app.example.com - Your account has been successfully created and activated!"
    );
    assert!(
        confirmation
            .text
            .starts_with("Your account has been created and is ready to use!"),
        "{}",
        confirmation.text
    );
    let key = app.login(("notified", NEW_PASSWORD)).await;
    let changed = app
        .send(set_password(
            &key,
            change(NEW_PASSWORD, "another horse battery staple"),
        ))
        .await;
    assert_no_content(&changed);
    let notice = nth_email(&address, 3).await;
    assert_eq!(
        notice.subject,
        "app.example.com - Your password has been successfully changed!"
    );
    assert!(notice.text.starts_with("Your password has been changed!"));
}

/// Without `SEND_ACTIVATION_EMAIL` the activation routes do not exist (the stack deploys them
/// only with it), and registration makes active users without asking for an address.
pub async fn activation_routes_are_missing_without_send_activation_email(app: TestApp) {
    app.send(activate(("MQ", "x")))
        .await
        .assert(404, json!({ "detail": "Not found." }));
    app.send(resend(json!({ "email": "a@example.com" })))
        .await
        .assert(404, json!({ "detail": "Not found." }));
}
