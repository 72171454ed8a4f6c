//! djoser's endpoints (docs/API.md, Accounts), each case a function of the app it runs on, so
//! that the same case runs on the handlers over the memory store and over DynamoDB and through
//! `authtoken serve` over HTTP, with [`accounts_suite!`](crate::accounts_suite). Every status,
//! body and message here was seen from djoser 2.3.5 with DRF's authtoken.

use authtoken::config::Settings;
use authtoken::endpoint::{
    ME, REGISTER, SESSIONS, SET_PASSWORD, SET_USERNAME, TOKEN_LOGIN, TOKEN_LOGOUT,
};
use authtoken::lockout::LockoutPolicy;
use serde_json::{Value, json};

use crate::app::{ADMIN, BOB, CAROL, TestApp, TestRequest, TestResponse, drf_settings};

mod activation;
mod breach_check;
mod case_insensitive;
mod password_reset;
pub use activation::*;
pub use breach_check::*;
pub use case_insensitive::*;
pub use password_reset::*;

/// Declares, in a module named `$module`, one test per case of djoser's endpoints, each on an
/// app that `$make` builds from the case's settings (`async fn(Settings) -> TestApp`).
#[macro_export]
macro_rules! accounts_suite {
    ($module:ident, $make:expr) => {
        mod $module {
            $crate::accounts_suite!(@case $make, $crate::app::drf_settings;
                token_login_answers_the_same_key_as_login_under_djosers_name,
                token_login_refuses_bad_credentials_as_one_400,
                token_login_trims_both_fields_and_lists_the_password_first,
                token_login_refuses_other_methods_and_ignores_the_authorization_header,
                token_logout_deletes_the_token_and_answers_204,
                token_logout_needs_a_token_and_its_method,
                set_password_sets_it_and_ends_every_session,
                set_password_checks_fields_in_djosers_order,
                set_password_applies_djangos_validators,
                set_password_needs_a_token_and_its_method,
                me_answers_the_account_in_djosers_shape,
                me_changes_the_email_and_nothing_else,
                me_refuses_bad_emails_with_drfs_messages,
                me_is_deleted_with_the_current_password,
                me_needs_a_token_and_its_methods,
                set_username_renames_the_caller_who_stays_signed_in,
                set_username_checks_fields_in_djosers_order,
            );
            $crate::accounts_suite!(@case $make, $crate::policy::per_login;
                token_login_and_logout_under_the_per_login_policy,
            );
            $crate::accounts_suite!(@case $make, $crate::policy::per_login;
                sessions_list_every_live_token_and_end_one_by_its_prefix,
            );
            $crate::accounts_suite!(@case $make, $crate::app::drf_settings;
                under_the_per_user_policy_there_is_one_session,
            );
            $crate::accounts_suite!(@case $make, $crate::accounts::keeping_tokens;
                set_password_can_keep_the_sessions,
            );
            $crate::accounts_suite!(@case $make, $crate::accounts::retyped;
                set_password_can_ask_for_the_password_twice,
            );
            $crate::accounts_suite!(@case $make, $crate::accounts::open_registration;
                registration_creates_an_active_user_with_the_next_id,
                registration_checks_fields_in_djangos_order_with_every_message,
            );
            $crate::accounts_suite!(@case $make, $crate::app::drf_settings;
                registration_is_a_missing_route_while_closed,
            );
            $crate::accounts_suite!(@case $make, $crate::accounts::locking;
                wrong_current_passwords_lock_the_name_as_failed_logins_do,
            );
            $crate::accounts_suite!(@case $make, $crate::accounts::breach_checked;
                a_breached_password_is_refused_wherever_a_user_sets_one,
            );
            $crate::accounts_suite!(@case $make, $crate::accounts::resettable;
                a_reset_link_sets_the_password_once_and_ends_every_session,
                reset_password_answers_204_whoever_has_the_address,
                reset_confirm_checks_fields_in_djosers_order,
                a_reset_link_dies_at_a_login_or_a_newer_link,
            );
            $crate::accounts_suite!(@case $make, $crate::accounts::reset_retyped;
                reset_confirm_can_ask_for_the_password_twice,
            );
            $crate::accounts_suite!(@case $make, $crate::accounts::activating;
                registration_waits_for_the_emailed_activation_link,
                registration_under_activation_needs_an_address,
                activation_checks_fields_in_djosers_order,
                resend_activation_sends_a_new_link_to_inactive_users_only,
                a_new_address_waits_for_its_activation_link,
            );
            $crate::accounts_suite!(@case $make, $crate::accounts::notifying;
                notices_follow_an_activation_and_a_password_change,
            );
            $crate::accounts_suite!(@case $make, $crate::app::drf_settings;
                activation_routes_are_missing_without_send_activation_email,
            );
            $crate::accounts_suite!(@case $make, $crate::accounts::case_insensitive;
                any_case_of_a_name_logs_in_as_its_user,
                the_lockout_counts_every_case_of_a_name_together,
                a_name_taken_in_another_case_is_refused_and_new_names_are_folded,
            );
        }
    };
    (@case $make:expr, $settings:path; $($name:ident,)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let app = ($make)($settings()).await;
                $crate::accounts::$name(app).await
            }
        )*
    };
}

/// djoser's `LOGOUT_ON_PASSWORD_CHANGE` default: a password change keeps the user's tokens.
pub fn keeping_tokens() -> Settings {
    let mut settings = drf_settings();
    settings.accounts.logout_on_password_change = false;
    settings
}

/// `SET_PASSWORD_RETYPE=true`.
pub fn retyped() -> Settings {
    let mut settings = drf_settings();
    settings.accounts.set_password_retype = true;
    settings
}

/// `REGISTRATION=open`.
pub fn open_registration() -> Settings {
    let mut settings = drf_settings();
    settings.accounts.registration_open = true;
    settings
}

/// Lockout after 3 failures, for a minute: no case waits for a lock to end.
pub fn locking() -> Settings {
    Settings {
        lockout: LockoutPolicy {
            threshold: 3,
            base_seconds: 60,
            max_seconds: 600,
            ..LockoutPolicy::default()
        },
        ..drf_settings()
    }
}

const UNABLE: &str = "Unable to log in with provided credentials.";
const REQUIRED: &str = "This field is required.";
const BLANK: &str = "This field may not be blank.";
const NULL: &str = "This field may not be null.";
const INVALID_PASSWORD: &str = "Invalid password.";
/// A password that passes Django's validators for every seeded user.
const NEW_PASSWORD: &str = "correct horse battery staple";

fn token_login(body: Value) -> TestRequest {
    TestRequest::post(&TOKEN_LOGIN.slashed_path()).json(&body)
}

fn token_logout(token: &str) -> TestRequest {
    TestRequest::post(&TOKEN_LOGOUT.slashed_path()).token(token)
}

fn set_password(token: &str, body: Value) -> TestRequest {
    TestRequest::post(&SET_PASSWORD.slashed_path())
        .token(token)
        .json(&body)
}

fn credentials((username, password): (&str, &str)) -> Value {
    json!({ "username": username, "password": password })
}

/// `{"current_password": current, "new_password": new}`.
fn change(current: &str, new: &str) -> Value {
    json!({ "current_password": current, "new_password": new })
}

/// Asserts an empty 204: no body and no `Content-Type`, with the security headers.
#[track_caller]
fn assert_no_content(response: &TestResponse) {
    assert_eq!(response.status, 204, "{}", response.text());
    assert!(response.body.is_empty(), "{}", response.text());
    assert_eq!(response.header("content-type"), None);
    assert_eq!(response.header("x-frame-options").as_deref(), Some("DENY"));
}

/// Logs in through djoser's endpoint and returns the key, asserting success.
async fn djoser_login(app: &TestApp, user: (&str, &str)) -> String {
    let response = app.send(token_login(credentials(user))).await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()["auth_token"]
        .as_str()
        .expect("an auth_token")
        .to_owned()
}

/// djoser's login answers `{"auth_token": key}` with the key DRF's login hands out (one token
/// per user), from JSON, a form or multipart, with its view's headers.
pub async fn token_login_answers_the_same_key_as_login_under_djosers_name(app: TestApp) {
    let response = app.send(token_login(credentials(ADMIN))).await;
    response.assert_json_headers();
    let key = response.json()["auth_token"].as_str().unwrap().to_owned();
    assert_eq!(response.text(), format!("{{\"auth_token\":\"{key}\"}}"));
    assert_eq!(response.header("allow").as_deref(), Some("POST, OPTIONS"));
    assert_eq!(response.header("vary").as_deref(), Some("Accept"));
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );
    assert_eq!(app.login(ADMIN).await, key, "DRF's login, the same key");
    let form = TestRequest::post(&TOKEN_LOGIN.slashed_path()).body(
        "application/x-www-form-urlencoded",
        "username=admin&password=password",
    );
    app.send(form)
        .await
        .assert(200, json!({ "auth_token": key }));
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
}

/// Wrong passwords, unknown and inactive users, and a missing field all get djoser's one 400.
pub async fn token_login_refuses_bad_credentials_as_one_400(app: TestApp) {
    for body in [
        json!({ "username": "admin", "password": "wrong" }),
        json!({ "username": "nobody", "password": "password" }),
        credentials(CAROL),
        json!({ "username": "ADMIN", "password": "password" }),
        json!({ "username": "admin" }),
        json!({ "password": "password" }),
        json!({}),
    ] {
        let response = app.send(token_login(body.clone())).await;
        response.assert(400, json!({ "non_field_errors": [UNABLE] }));
        assert_eq!(
            response.header("cache-control").as_deref(),
            Some("no-store"),
            "{body}"
        );
    }
    app.send(TestRequest::post(&TOKEN_LOGIN.slashed_path()))
        .await
        .assert(400, json!({ "non_field_errors": [UNABLE] }));
}

/// djoser's fields are both trimmed, and their errors list the password first.
pub async fn token_login_trims_both_fields_and_lists_the_password_first(app: TestApp) {
    let response = app
        .send(token_login(
            json!({ "username": "  admin ", "password": " password\t" }),
        ))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let blank = app
        .send(token_login(json!({ "username": "", "password": " " })))
        .await;
    blank.assert(400, json!({ "password": [BLANK], "username": [BLANK] }));
    assert!(
        blank.text().starts_with("{\"password\""),
        "{}",
        blank.text()
    );
    app.send(token_login(json!({ "username": null, "password": null })))
        .await
        .assert(400, json!({ "password": [NULL], "username": [NULL] }));
    app.send(token_login(json!({ "username": true, "password": [1] })))
        .await
        .assert(
            400,
            json!({ "password": ["Not a valid string."], "username": ["Not a valid string."] }),
        );
    app.send(TestRequest::post(&TOKEN_LOGIN.slashed_path()).json(&json!([])))
        .await
        .assert(
            400,
            json!({ "non_field_errors": ["Invalid data. Expected a dictionary, but got list."] }),
        );
}

/// GET is 405 with the view's `Allow`; a stale `Authorization` header does not stop a login
/// (as at DRF's login here, a deliberate difference).
pub async fn token_login_refuses_other_methods_and_ignores_the_authorization_header(app: TestApp) {
    let response = app
        .send(TestRequest::get(&TOKEN_LOGIN.slashed_path()))
        .await;
    response.assert_detail(405, "Method \"GET\" not allowed.");
    assert_eq!(response.header("allow").as_deref(), Some("POST, OPTIONS"));
    let stale = token_login(credentials(ADMIN)).token("0000000000000000000000000000000000000000");
    assert_eq!(app.send(stale).await.status, 200);
}

/// djoser's logout answers an empty 204 and deletes the token; the key then authenticates
/// nobody, and the next login makes a new one.
pub async fn token_logout_deletes_the_token_and_answers_204(app: TestApp) {
    let key = djoser_login(&app, ADMIN).await;
    let bob = djoser_login(&app, BOB).await;
    let response = app.send(token_logout(&key)).await;
    assert_no_content(&response);
    assert_eq!(response.header("allow").as_deref(), Some("POST, OPTIONS"));
    assert_eq!(response.header("vary").as_deref(), Some("Accept"));
    app.whoami(&key).await.assert_401("Invalid token.");
    app.send(token_logout(&key))
        .await
        .assert_401("Invalid token.");
    app.whoami(&bob)
        .await
        .assert(200, json!({ "username": BOB.0 }));
    assert_ne!(djoser_login(&app, ADMIN).await, key);
}

/// Without a token, 401 with `WWW-Authenticate: Token`; GET with one is 405 and spares it.
pub async fn token_logout_needs_a_token_and_its_method(app: TestApp) {
    app.send(TestRequest::post(&TOKEN_LOGOUT.slashed_path()))
        .await
        .assert_401("Authentication credentials were not provided.");
    let key = djoser_login(&app, ADMIN).await;
    app.send(TestRequest::get(&TOKEN_LOGOUT.slashed_path()).token(&key))
        .await
        .assert_detail(405, "Method \"GET\" not allowed.");
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
}

/// Under the per-login policy each djoser login is a new token, answered as djoser does; its
/// logout deletes every one of them.
pub async fn token_login_and_logout_under_the_per_login_policy(app: TestApp) {
    let first = djoser_login(&app, ADMIN).await;
    let second = djoser_login(&app, ADMIN).await;
    assert_ne!(first, second);
    let response = app.send(token_login(credentials(ADMIN))).await;
    assert_eq!(
        response.json().as_object().map(|body| body.len()),
        Some(1),
        "only auth_token: {}",
        response.text()
    );
    assert_no_content(&app.send(token_logout(&first)).await);
    app.whoami(&second).await.assert_401("Invalid token.");
}

/// A 204; the old password and every token of the user (the caller's included) stop working,
/// other users' do not; the new password, trimmed as djoser trims it, logs in.
pub async fn set_password_sets_it_and_ends_every_session(app: TestApp) {
    let key = app.login(ADMIN).await;
    let bob = app.login(BOB).await;
    let response = app
        .send(set_password(
            &key,
            change(ADMIN.1, &format!("  {NEW_PASSWORD} ")),
        ))
        .await;
    assert_no_content(&response);
    assert_eq!(response.header("allow").as_deref(), Some("POST, OPTIONS"));
    app.whoami(&key).await.assert_401("Invalid token.");
    app.whoami(&bob)
        .await
        .assert(200, json!({ "username": BOB.0 }));
    app.send(TestRequest::post("/api-token-auth/").json(&credentials(ADMIN)))
        .await
        .assert(400, json!({ "non_field_errors": [UNABLE] }));
    let new_key = app.login((ADMIN.0, NEW_PASSWORD)).await;
    assert_ne!(new_key, key);
}

/// Field errors in djoser's order (new, then current), the current password's among them; the
/// validators run only once every field is valid.
pub async fn set_password_checks_fields_in_djosers_order(app: TestApp) {
    let key = app.login(ADMIN).await;
    let both = app.send(set_password(&key, json!({}))).await;
    both.assert(
        400,
        json!({ "new_password": [REQUIRED], "current_password": [REQUIRED] }),
    );
    assert!(
        both.text().starts_with("{\"new_password\""),
        "{}",
        both.text()
    );
    app.send(set_password(&key, change("", " "))).await.assert(
        400,
        json!({ "new_password": [BLANK], "current_password": [BLANK] }),
    );
    app.send(set_password(&key, change("wrong", "")))
        .await
        .assert(
            400,
            json!({ "new_password": [BLANK], "current_password": [INVALID_PASSWORD] }),
        );
    app.send(set_password(&key, change("wrong", "1234567")))
        .await
        .assert(400, json!({ "current_password": [INVALID_PASSWORD] }));
    app.send(set_password(
        &key,
        json!({ "current_password": null, "new_password": 5 }),
    ))
    .await
    .assert(400, json!({ "current_password": [NULL] }));
    app.send(set_password(&key, change(ADMIN.1, "a\u{0}long password")))
        .await
        .assert(
            400,
            json!({ "new_password": ["Null characters are not allowed."] }),
        );
    // Nothing changed: the token and the password still work.
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
    assert_eq!(app.login(ADMIN).await, key);
}

/// Django's four validators, all their messages together, in Django's order.
pub async fn set_password_applies_djangos_validators(app: TestApp) {
    let key = app.login(ADMIN).await;
    for (new, messages) in [
        (
            "1234567",
            json!([
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric."
            ]),
        ),
        (
            "admin",
            json!([
                "The password is too similar to the username.",
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common."
            ]),
        ),
        (
            "admin1234",
            json!([
                "The password is too similar to the username.",
                "This password is too common."
            ]),
        ),
    ] {
        app.send(set_password(&key, change(ADMIN.1, new)))
            .await
            .assert(400, json!({ "new_password": messages }));
    }
    let long = "x".repeat(authtoken::secrets::password::MAX_PASSWORD_BYTES + 1);
    app.send(set_password(&key, change(ADMIN.1, &long)))
        .await
        .assert(
            400,
            json!({ "new_password": ["Ensure this field has no more than 4096 bytes."] }),
        );
    assert_eq!(app.login(ADMIN).await, key, "nothing changed");
}

/// Without a token, 401; GET with one is 405; neither reads the body or changes anything.
pub async fn set_password_needs_a_token_and_its_method(app: TestApp) {
    app.send(TestRequest::post(&SET_PASSWORD.slashed_path()).json(&change(ADMIN.1, NEW_PASSWORD)))
        .await
        .assert_401("Authentication credentials were not provided.");
    let key = app.login(ADMIN).await;
    app.send(TestRequest::get(&SET_PASSWORD.slashed_path()).token(&key))
        .await
        .assert_detail(405, "Method \"GET\" not allowed.");
    assert_eq!(app.login(ADMIN).await, key);
}

/// With `LOGOUT_ON_PASSWORD_CHANGE=false` (djoser's default) the user's tokens stay valid, and
/// the same password may be set again.
pub async fn set_password_can_keep_the_sessions(app: TestApp) {
    let key = app.login(ADMIN).await;
    assert_no_content(
        &app.send(set_password(&key, change(ADMIN.1, NEW_PASSWORD)))
            .await,
    );
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
    assert_no_content(
        &app.send(set_password(&key, change(NEW_PASSWORD, NEW_PASSWORD)))
            .await,
    );
    assert_eq!(app.login((ADMIN.0, NEW_PASSWORD)).await, key);
}

/// With `SET_PASSWORD_RETYPE=true`: `re_new_password` is required (between the two others), the
/// validators come before the comparison, and a mismatch is a non-field error.
pub async fn set_password_can_ask_for_the_password_twice(app: TestApp) {
    let key = app.login(ADMIN).await;
    let all = app.send(set_password(&key, json!({}))).await;
    all.assert(
        400,
        json!({
            "new_password": [REQUIRED],
            "re_new_password": [REQUIRED],
            "current_password": [REQUIRED]
        }),
    );
    assert!(
        all.text()
            .starts_with("{\"new_password\":[\"This field is required.\"],\"re_new_password\""),
        "{}",
        all.text()
    );
    let retyped = |new: &str, again: &str| json!({ "current_password": ADMIN.1, "new_password": new, "re_new_password": again });
    app.send(set_password(&key, retyped("12345678", "x")))
        .await
        .assert(
            400,
            json!({ "new_password": ["This password is too common.", "This password is entirely numeric."] }),
        );
    app.send(set_password(&key, retyped(NEW_PASSWORD, "another one")))
        .await
        .assert(
            400,
            json!({ "non_field_errors": ["The two password fields didn't match."] }),
        );
    let trimmed = format!(" {NEW_PASSWORD} ");
    assert_no_content(
        &app.send(set_password(&key, retyped(&trimmed, NEW_PASSWORD)))
            .await,
    );
}

/// A wrong current password counts as a failed login of the name: past the threshold, the right
/// one is refused with DRF's throttled answer, and so is a login; a stolen token is no better a
/// guessing oracle than the login.
pub async fn wrong_current_passwords_lock_the_name_as_failed_logins_do(app: TestApp) {
    let key = app.login(ADMIN).await;
    for _ in 0..3 {
        app.send(set_password(&key, change("wrong", NEW_PASSWORD)))
            .await
            .assert(400, json!({ "current_password": [INVALID_PASSWORD] }));
    }
    let locked = app
        .send(set_password(&key, change(ADMIN.1, NEW_PASSWORD)))
        .await;
    assert_eq!(locked.status, 429, "{}", locked.text());
    assert!(locked.header("retry-after").is_some());
    let login = app
        .send(TestRequest::post("/api-token-auth/").json(&credentials(ADMIN)))
        .await;
    assert_eq!(login.status, 429, "{}", login.text());
    let djoser = app.send(token_login(credentials(ADMIN))).await;
    assert_eq!(djoser.status, 429, "{}", djoser.text());
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
}

fn me(method: &str, token: &str) -> TestRequest {
    TestRequest::new(method, &ME.slashed_path()).token(token)
}

/// The seeded admin's account, with this email address.
fn admin_account(email: &str) -> Value {
    json!({ "email": email, "id": 1, "username": ADMIN.0 })
}

/// `GET` answers `{"email", "id", "username"}` in djoser's order, the ids the users were created
/// with, with the view's headers; `HEAD` answers as `GET` does.
pub async fn me_answers_the_account_in_djosers_shape(app: TestApp) {
    let key = app.login(ADMIN).await;
    let response = app.send(me("GET", &key)).await;
    response.assert(200, admin_account(""));
    assert_eq!(response.text(), r#"{"email":"","id":1,"username":"admin"}"#);
    assert_eq!(
        response.header("allow").as_deref(),
        Some("GET, PUT, PATCH, DELETE, HEAD, OPTIONS")
    );
    assert_eq!(response.header("vary").as_deref(), Some("Accept"));
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );
    let bob = app.login(BOB).await;
    app.send(me("GET", &bob))
        .await
        .assert(200, json!({ "email": "", "id": 2, "username": BOB.0 }));
    let head = app.send(me("HEAD", &key)).await;
    assert_eq!(head.status, 200);
    if app.is_http() {
        assert!(head.body.is_empty(), "{}", head.text());
    }
}

/// `PUT` and `PATCH` change the email address, trimmed, from JSON or a form; a username or id
/// sent with it is ignored (read-only); a body without it changes nothing; `""` clears it.
pub async fn me_changes_the_email_and_nothing_else(app: TestApp) {
    let key = app.login(ADMIN).await;
    app.send(
        me("PATCH", &key)
            .json(&json!({ "email": "  Admin@Example.COM ", "username": "zed", "id": 5 })),
    )
    .await
    .assert(200, admin_account("Admin@Example.COM"));
    app.send(me("PUT", &key).json(&json!({})))
        .await
        .assert(200, admin_account("Admin@Example.COM"));
    app.send(me("GET", &key))
        .await
        .assert(200, admin_account("Admin@Example.COM"));
    app.send(me("PATCH", &key).body("application/x-www-form-urlencoded", "email=a%40b.co"))
        .await
        .assert(200, admin_account("a@b.co"));
    app.send(me("PUT", &key).json(&json!({ "email": " " })))
        .await
        .assert(200, admin_account(""));
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
}

/// DRF's `EmailField` messages, every validator's at once, in order; nothing is changed.
pub async fn me_refuses_bad_emails_with_drfs_messages(app: TestApp) {
    let key = app.login(ADMIN).await;
    let invalid = "Enter a valid email address.";
    let long = format!("{}@b.co", "a".repeat(250));
    for (email, messages) in [
        (json!("bad"), json!([invalid])),
        (json!("a@b"), json!([invalid])),
        (json!([1]), json!([invalid])),
        (json!(5), json!([invalid])),
        (json!(null), json!([NULL])),
        (
            json!(long),
            json!(["Ensure this field has no more than 254 characters."]),
        ),
        (
            json!("a\u{0}@b.co"),
            json!(["Null characters are not allowed.", invalid]),
        ),
    ] {
        app.send(me("PATCH", &key).json(&json!({ "email": email })))
            .await
            .assert(400, json!({ "email": messages }));
    }
    for accepted in ["a@localhost", "x@[127.0.0.1]", "u@exämple.org"] {
        app.send(me("PATCH", &key).json(&json!({ "email": accepted })))
            .await
            .assert(200, admin_account(accepted));
    }
}

/// `DELETE` needs the current password (djoser's messages); with it, 204: the user and every
/// key of theirs are gone, and the name logs in no more.
pub async fn me_is_deleted_with_the_current_password(app: TestApp) {
    let key = app.login(ADMIN).await;
    app.send(me("DELETE", &key).json(&json!({})))
        .await
        .assert(400, json!({ "current_password": [REQUIRED] }));
    app.send(me("DELETE", &key))
        .await
        .assert(400, json!({ "current_password": [REQUIRED] }));
    app.send(me("DELETE", &key).json(&json!({ "current_password": "wrong" })))
        .await
        .assert(400, json!({ "current_password": [INVALID_PASSWORD] }));
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
    let response = app
        .send(me("DELETE", &key).json(&json!({ "current_password": format!(" {} ", ADMIN.1) })))
        .await;
    assert_no_content(&response);
    app.whoami(&key).await.assert_401("Invalid token.");
    app.send(TestRequest::post("/api-token-auth/").json(&credentials(ADMIN)))
        .await
        .assert(400, json!({ "non_field_errors": [UNABLE] }));
    app.send(me("GET", &key)).await.assert_401("Invalid token.");
}

/// Without a token, 401; `POST` with one is 405 with the view's `Allow`.
pub async fn me_needs_a_token_and_its_methods(app: TestApp) {
    app.send(TestRequest::get(&ME.slashed_path()))
        .await
        .assert_401("Authentication credentials were not provided.");
    let key = app.login(ADMIN).await;
    let response = app.send(me("POST", &key)).await;
    response.assert_detail(405, "Method \"POST\" not allowed.");
    assert_eq!(
        response.header("allow").as_deref(),
        Some("GET, PUT, PATCH, DELETE, HEAD, OPTIONS")
    );
}

fn register(body: Value) -> TestRequest {
    TestRequest::post(&REGISTER.slashed_path()).json(&body)
}

/// A registration answers 201 `{"email", "username", "id"}` (djoser's order) with the next id;
/// the user is active at once, the name trimmed and stored in NFKC.
pub async fn registration_creates_an_active_user_with_the_next_id(app: TestApp) {
    let response = app
        .send(register(json!({
            "username": " newbie ",
            "password": NEW_PASSWORD,
            "email": "newbie@example.com"
        })))
        .await;
    response.assert(
        201,
        json!({ "email": "newbie@example.com", "username": "newbie", "id": 4 }),
    );
    assert_eq!(
        response.text(),
        r#"{"email":"newbie@example.com","username":"newbie","id":4}"#
    );
    assert_eq!(response.header("allow").as_deref(), Some("POST, OPTIONS"));
    assert_eq!(response.header("vary").as_deref(), Some("Accept"));
    let key = app.login(("newbie", NEW_PASSWORD)).await;
    app.send(me("GET", &key)).await.assert(
        200,
        json!({ "email": "newbie@example.com", "id": 4, "username": "newbie" }),
    );
    app.send(register(
        json!({ "username": "ｆｕｌｌ", "password": NEW_PASSWORD }),
    ))
    .await
    .assert(201, json!({ "email": "", "username": "full", "id": 5 }));
}

/// Every field's messages at once, in djoser's field order (email, username, password); the
/// password rules only once the fields are valid, against the username and the email.
pub async fn registration_checks_fields_in_djangos_order_with_every_message(app: TestApp) {
    let invalid = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.";
    let taken = "A user with that username already exists.";
    let both = app.send(register(json!({}))).await;
    both.assert(
        400,
        json!({ "username": [REQUIRED], "password": [REQUIRED] }),
    );
    assert!(both.text().starts_with("{\"username\""), "{}", both.text());
    let answer = app
        .send(register(
            json!({ "username": "admin", "password": "1234567", "email": "bad" }),
        ))
        .await;
    answer.assert(
        400,
        json!({ "email": ["Enter a valid email address."], "username": [taken] }),
    );
    assert!(answer.text().starts_with("{\"email\""), "{}", answer.text());
    app.send(register(
        json!({ "username": "a b".repeat(60), "password": NEW_PASSWORD }),
    ))
    .await
    .assert(
        400,
        json!({ "username": [invalid, "Ensure this field has no more than 150 characters."] }),
    );
    app.send(register(
        json!({ "username": "a\u{0}b", "password": NEW_PASSWORD }),
    ))
    .await
    .assert(
        400,
        json!({ "username": [invalid, "Null characters are not allowed."] }),
    );
    // NFKC makes ｂｏｂ bob, who exists: taken (Django would fail on its unique index).
    app.send(register(
        json!({ "username": "ｂｏｂ", "password": NEW_PASSWORD }),
    ))
    .await
    .assert(400, json!({ "username": [taken] }));
    app.send(register(
        json!({ "username": "ok.name+1@-_", "password": "  " }),
    ))
    .await
    .assert(400, json!({ "password": [BLANK] }));
    app.send(register(
        json!({ "username": "Newbie", "password": "newbie123" }),
    ))
    .await
    .assert(
        400,
        json!({ "password": ["The password is too similar to the username."] }),
    );
    app.send(register(json!({
        "username": "carla",
        "password": "carla.example",
        "email": "carla@example.com"
    })))
    .await
    .assert(
        400,
        json!({ "password": ["The password is too similar to the email address."] }),
    );
    app.send(register(
        json!({ "username": "dan", "password": NEW_PASSWORD, "email": null }),
    ))
    .await
    .assert(400, json!({ "email": [NULL] }));
    app.send(TestRequest::post(&REGISTER.slashed_path()).body(
        "application/x-www-form-urlencoded",
        "username=eve&password=correct+horse+battery+staple",
    ))
    .await
    .assert(201, json!({ "email": "", "username": "eve", "id": 4 }));
}

/// While `REGISTRATION=closed` (the default) the path is not served at all: the 404 of a path
/// that does not exist, whatever the method.
pub async fn registration_is_a_missing_route_while_closed(app: TestApp) {
    for request in [
        register(json!({ "username": "newbie", "password": NEW_PASSWORD })),
        TestRequest::new("OPTIONS", &REGISTER.slashed_path()),
        TestRequest::get(&REGISTER.slashed_path()),
    ] {
        app.send(request).await.assert_detail(404, "Not found.");
    }
}

fn set_username(token: &str, body: Value) -> TestRequest {
    TestRequest::post(&SET_USERNAME.slashed_path())
        .token(token)
        .json(&body)
}

/// A 204: the user goes by the new name (trimmed), with their id, email and password; the key
/// stays valid and says the new name; the old name logs in no more; the new one does.
pub async fn set_username_renames_the_caller_who_stays_signed_in(app: TestApp) {
    let key = app.login(ADMIN).await;
    app.send(me("PATCH", &key).json(&json!({ "email": "admin@example.com" })))
        .await;
    let response = app
        .send(set_username(
            &key,
            json!({ "current_password": ADMIN.1, "new_username": " root " }),
        ))
        .await;
    assert_no_content(&response);
    assert_eq!(response.header("allow").as_deref(), Some("POST, OPTIONS"));
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": "root" }));
    app.send(me("GET", &key)).await.assert(
        200,
        json!({ "email": "admin@example.com", "id": 1, "username": "root" }),
    );
    app.send(TestRequest::post("/api-token-auth/").json(&credentials(ADMIN)))
        .await
        .assert(400, json!({ "non_field_errors": [UNABLE] }));
    let again = app.login(("root", ADMIN.1)).await;
    app.whoami(&again)
        .await
        .assert(200, json!({ "username": "root" }));
    // The name is free again: someone else may take it.
    app.send(set_username(
        &again,
        json!({ "current_password": ADMIN.1, "new_username": "admin" }),
    ))
    .await;
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": "admin" }));
}

/// `current_password` then `new_username`, each with every message; nothing changes.
pub async fn set_username_checks_fields_in_djosers_order(app: TestApp) {
    let key = app.login(ADMIN).await;
    let taken = "A user with that username already exists.";
    let both = app.send(set_username(&key, json!({}))).await;
    both.assert(
        400,
        json!({ "current_password": [REQUIRED], "new_username": [REQUIRED] }),
    );
    assert!(
        both.text().starts_with("{\"current_password\""),
        "{}",
        both.text()
    );
    app.send(set_username(
        &key,
        json!({ "current_password": "wrong", "new_username": BOB.0 }),
    ))
    .await
    .assert(
        400,
        json!({ "current_password": [INVALID_PASSWORD], "new_username": [taken] }),
    );
    app.send(set_username(
        &key,
        json!({ "current_password": ADMIN.1, "new_username": "a b" }),
    ))
    .await
    .assert(
        400,
        json!({ "new_username": ["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."] }),
    );
    app.send(set_username(
        &key,
        json!({ "current_password": ADMIN.1, "new_username": ADMIN.0 }),
    ))
    .await
    .assert(400, json!({ "new_username": [taken] }));
    app.send(TestRequest::post(&SET_USERNAME.slashed_path()).json(&json!({})))
        .await
        .assert_401("Authentication credentials were not provided.");
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
}

fn sessions_of(token: &str) -> TestRequest {
    TestRequest::get(&SESSIONS.slashed_path()).token(token)
}

fn end_session(token: &str, prefix: &str) -> TestRequest {
    TestRequest::new("DELETE", &format!("/auth/tokens/{prefix}/")).token(token)
}

/// Under the per-login policy: every live token of the caller, oldest first, by the first
/// characters of its digest (never a key), the presented one marked; other users' not listed;
/// one ended by its prefix (204), another user's or an unknown prefix 404.
pub async fn sessions_list_every_live_token_and_end_one_by_its_prefix(app: TestApp) {
    let first = app.login(ADMIN).await;
    let second = app.login(ADMIN).await;
    app.login(BOB).await;
    let response = app.send(sessions_of(&second)).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );
    let listed = response.json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    let current: Vec<bool> = listed
        .iter()
        .map(|session| session["current"].as_bool().unwrap())
        .collect();
    assert_eq!(current.iter().filter(|current| **current).count(), 1);
    for session in listed {
        let digest = session["digest"].as_str().unwrap();
        assert_eq!(digest.len(), 8);
        assert!(!response.text().contains(&first) && !response.text().contains(&second));
        assert!(session["created"].as_str().unwrap().ends_with('Z'));
        assert_eq!(session["expiry"], Value::Null);
    }
    let other = listed
        .iter()
        .find(|session| session["current"] == false)
        .unwrap()["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_no_content(&app.send(end_session(&second, &other)).await);
    app.whoami(&first).await.assert_401("Invalid token.");
    app.whoami(&second)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
    let bob = app.login(BOB).await;
    let bobs = app.send(sessions_of(&bob)).await.json()[0]["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    for prefix in [bobs.as_str(), other.as_str(), "zz", "00000000"] {
        app.send(end_session(&second, prefix))
            .await
            .assert_detail(404, "Not found.");
    }
    app.whoami(&bob)
        .await
        .assert(200, json!({ "username": BOB.0 }));
    app.send(TestRequest::get(&SESSIONS.slashed_path()))
        .await
        .assert_401("Authentication credentials were not provided.");
}

/// Under the per-user policy (DRF's) the user has one session: the key, marked current; ending
/// it is a logout.
pub async fn under_the_per_user_policy_there_is_one_session(app: TestApp) {
    let key = app.login(ADMIN).await;
    let listed = app.send(sessions_of(&key)).await.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["current"], true);
    let digest = listed[0]["digest"].as_str().unwrap().to_owned();
    assert_no_content(&app.send(end_session(&key, &digest[..4])).await);
    app.whoami(&key).await.assert_401("Invalid token.");
}
