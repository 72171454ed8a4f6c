//! The store's promises under concurrency and over time, on both stores (and over HTTP where the
//! test needs no look inside the store).

mod support;

use std::sync::Arc;
use std::time::Duration;

use authtoken::config::Settings;
use serde_json::json;
use support::{ADMIN, BOB, TestApp, TestRequest, within};

/// Lifetime of tokens in the expiry test. Expiry is by whole seconds, so a token lives between
/// `TTL - 1` and `TTL` seconds: at least two, ample for the checks made before it expires.
const TTL_SECONDS: u64 = 3;

/// Tokens that expire [`TTL_SECONDS`] after they are issued.
fn short_lived_tokens() -> Settings {
    Settings {
        token_ttl_seconds: Some(TTL_SECONDS),
    }
}

/// Declares `mod <test> { fn <app>() }` for each test and each listed app (`memory`, `dynamo`,
/// `http`), all with the given settings.
macro_rules! tests_on {
    ($apps:tt $settings:expr => $($name:ident),* $(,)?) => {
        $( tests_on!(@one $name $apps $settings); )*
    };
    (@one $name:ident [$($app:ident),+] $settings:expr) => {
        mod $name {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $app() { super::$name(super::TestApp::$app($settings).await).await }
            )+
        }
    };
}

tests_on!([memory, dynamo] crate::support::drf_settings() =>
    concurrent_first_logins_yield_one_token,
    logins_and_logouts_keep_both_tables_consistent,
    a_weak_password_hash_is_upgraded_at_login,
);
tests_on!([memory, dynamo, http] crate::short_lived_tokens() =>
    an_expired_token_is_refused_and_replaced_at_the_next_login,
);

/// Concurrent first logins of one user.
const CONCURRENT_LOGINS: usize = 25;

async fn concurrent_first_logins_yield_one_token(app: TestApp) {
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..CONCURRENT_LOGINS)
        .map(|_| {
            let app = Arc::clone(&app);
            tokio::spawn(async move { app.login(ADMIN).await })
        })
        .collect();
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(within(120, task).await.expect("login task"));
    }
    tokens.sort();
    tokens.dedup();
    assert_eq!(
        tokens.len(),
        1,
        "{CONCURRENT_LOGINS} concurrent logins gave {} tokens",
        tokens.len()
    );
    app.whoami(&tokens[0])
        .await
        .assert(200, json!({ "username": "admin" }));
    app.assert_consistent(ADMIN.0).await;
}

async fn logins_and_logouts_keep_both_tables_consistent(app: TestApp) {
    let app = Arc::new(app);
    let rounds = 10;
    let tasks: Vec<_> = [ADMIN, BOB]
        .into_iter()
        .map(|user| {
            let app = Arc::clone(&app);
            tokio::spawn(async move {
                for _ in 0..rounds {
                    let token = app.login(user).await;
                    let whoami = app.whoami(&token).await;
                    // Another task may log this user out in between; nothing else may happen.
                    assert!(
                        whoami.status == 200 || whoami.status == 401,
                        "{}",
                        whoami.text()
                    );
                    let logout = app.logout(&token).await;
                    assert!(
                        logout.status == 200 || logout.status == 401,
                        "{}",
                        logout.text()
                    );
                }
            })
        })
        .collect();
    for task in tasks {
        within(120, task).await.expect("task");
    }
    for (username, _) in [ADMIN, BOB] {
        app.assert_consistent(username).await;
        assert_eq!(
            app.stored_user(username).await.unwrap().token,
            None,
            "every round ended in a logout"
        );
    }
}

async fn a_weak_password_hash_is_upgraded_at_login(app: TestApp) {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(1024, 1, 1, None).unwrap();
    let weak = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(
            b"old secret",
            &SaltString::encode_b64(b"sixteen byte slt").unwrap(),
        )
        .unwrap()
        .to_string();
    app.insert_user(&authtoken::store::User {
        username: "legacy".into(),
        password_hash: weak.clone(),
        active: true,
        token: None,
        created: 0,
    })
    .await;
    let token = app.login(("legacy", "old secret")).await;
    let upgraded = app.stored_user("legacy").await.unwrap().password_hash;
    assert_ne!(upgraded, weak);
    assert!(
        upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{upgraded}"
    );
    assert_eq!(
        app.login(("legacy", "old secret")).await,
        token,
        "same token, new hash"
    );
}

async fn an_expired_token_is_refused_and_replaced_at_the_next_login(app: TestApp) {
    let first = app.login(ADMIN).await;
    app.whoami(&first)
        .await
        .assert(200, json!({ "username": "admin" }));
    tokio::time::sleep(Duration::from_millis(TTL_SECONDS * 1000 + 100)).await;
    app.whoami(&first).await.assert_401("Invalid token.");
    app.send(TestRequest::post("/api/logout/").token(&first))
        .await
        .assert_401("Invalid token.");
    let second = app.login(ADMIN).await;
    assert_ne!(second, first, "an expired token is replaced");
    app.whoami(&second)
        .await
        .assert(200, json!({ "username": "admin" }));
    if !app.is_http() {
        app.assert_consistent(ADMIN.0).await;
    }
}
