//! `USERNAME_CASE_INSENSITIVE=true`: every case of a name is one user, who logs in, is locked
//! out and is unique under it; new names are stored folded. (With the default, `ADMIN` is no
//! user: the contract's own cases.)

use authtoken::config::{NameCase, Settings};
use serde_json::json;

use super::{
    INVALID_PASSWORD, NEW_PASSWORD, UNABLE, credentials, djoser_login, locking, register,
    set_username, token_login,
};
use crate::app::{ADMIN, BOB, TestApp, TestRequest};

/// Names that match whatever their case, open registration, and a lockout after 3 failures.
pub fn case_insensitive() -> Settings {
    let mut settings = locking();
    settings.accounts.registration_open = true;
    settings.usernames = NameCase::Insensitive;
    settings
}

/// DRF's and djoser's logins find `admin` under `ADMIN` and `Ａｄｍｉｎ` (NFKC, then folded),
/// and hand back the one key of the per-user policy.
pub async fn any_case_of_a_name_logs_in_as_its_user(app: TestApp) {
    let key = app.login(("ADMIN", ADMIN.1)).await;
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
    assert_eq!(djoser_login(&app, ("Ａｄｍｉｎ", ADMIN.1)).await, key);
    assert_eq!(app.login(ADMIN).await, key);
    app.send(TestRequest::post("/api-token-auth/").json(&credentials(("ADMIN", "wrong"))))
        .await
        .assert(400, json!({ "non_field_errors": [UNABLE] }));
}

/// Failed logins under `Admin`, `ADMIN` and `admin` count as one name's: the next attempt, in
/// any case and through either login, is locked.
pub async fn the_lockout_counts_every_case_of_a_name_together(app: TestApp) {
    for name in ["Admin", "ADMIN", "admin"] {
        app.send(TestRequest::post("/api-token-auth/").json(&credentials((name, "wrong"))))
            .await
            .assert(400, json!({ "non_field_errors": [UNABLE] }));
    }
    let locked = app
        .send(TestRequest::post("/api-token-auth/").json(&credentials(("aDmIn", ADMIN.1))))
        .await;
    assert_eq!(locked.status, 429, "{}", locked.text());
    assert!(locked.header("retry-after").is_some());
    let djoser = app.send(token_login(credentials(("ADMIN", ADMIN.1)))).await;
    assert_eq!(djoser.status, 429, "{}", djoser.text());
    // Another name is not locked.
    app.login(("BOB", BOB.1)).await;
}

/// A name taken in any case is refused at registration and rename; a new name is stored (and
/// answered) folded.
pub async fn a_name_taken_in_another_case_is_refused_and_new_names_are_folded(app: TestApp) {
    let taken = "A user with that username already exists.";
    app.send(register(
        json!({ "username": "Admin", "password": NEW_PASSWORD }),
    ))
    .await
    .assert(400, json!({ "username": [taken] }));
    app.send(register(
        json!({ "username": "NewBie", "password": NEW_PASSWORD }),
    ))
    .await
    .assert(201, json!({ "email": "", "username": "newbie", "id": 4 }));
    let key = app.login(("NEWBIE", NEW_PASSWORD)).await;
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": "newbie" }));
    let rename = |new_username: &str| {
        set_username(
            &key,
            json!({ "current_password": NEW_PASSWORD, "new_username": new_username }),
        )
    };
    app.send(rename("CAROL"))
        .await
        .assert(400, json!({ "new_username": [taken] }));
    // Its own name in another case is taken too, as djoser's unique check finds the caller.
    app.send(rename("NewBie"))
        .await
        .assert(400, json!({ "new_username": [taken] }));
    let renamed = app.send(rename("Straße")).await;
    assert_eq!(renamed.status, 204, "{}", renamed.text());
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": "strasse" }));
    app.login(("STRASSE", NEW_PASSWORD)).await;
    app.send(rename("Admin"))
        .await
        .assert(400, json!({ "new_username": [taken] }));
    let wrong = set_username(
        &key,
        json!({ "current_password": "wrong", "new_username": "fine" }),
    );
    app.send(wrong)
        .await
        .assert(400, json!({ "current_password": [INVALID_PASSWORD] }));
}
