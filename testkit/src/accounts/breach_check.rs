//! `PASSWORD_BREACH_CHECK=true`, against the local stand-in ([`crate::breaches`]): a password a
//! breach lists is refused wherever a user sets one, with pwned-passwords-django's message.

use authtoken::config::{BreachCheck, Settings};
use authtoken::secrets::breaches::BREACHED;
use serde_json::json;

use super::{NEW_PASSWORD, assert_no_content, change, open_registration, register, set_password};
use crate::app::{ADMIN, TestApp};
use crate::breaches::{BREACHED_PASSWORD, range_api};

/// Open registration, with the breach check on the stand-in.
pub fn breach_checked() -> Settings {
    let mut settings = open_registration();
    settings.accounts.password_rules.breaches = Some(BreachCheck::new(&range_api("")).unwrap());
    settings
}

/// Registration and `set_password` refuse a listed password under the password's field; an
/// unlisted one is accepted.
pub async fn a_breached_password_is_refused_wherever_a_user_sets_one(app: TestApp) {
    app.send(register(
        json!({ "username": "newbie", "password": BREACHED_PASSWORD }),
    ))
    .await
    .assert(400, json!({ "password": [BREACHED] }));
    let key = app.login(ADMIN).await;
    app.send(set_password(&key, change(ADMIN.1, BREACHED_PASSWORD)))
        .await
        .assert(400, json!({ "new_password": [BREACHED] }));
    let changed = app
        .send(set_password(&key, change(ADMIN.1, NEW_PASSWORD)))
        .await;
    assert_no_content(&changed);
    app.login((ADMIN.0, NEW_PASSWORD)).await;
}
