//! The store's promises under concurrency and over time, on both stores. (The expiry case also
//! runs over HTTP, in the CLI's contract tests.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use authtoken::admin;
use authtoken::config::Settings;
use authtoken::login;
use authtoken::secrets::password::Password;
use authtoken::store::Store;
use authtoken::store::memory::MemoryStore;
use serde_json::json;
use testkit::app::{ADMIN, BOB, TestApp, within};
use testkit::interleave::BeforeTokenWrite;

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

tests_on!([memory, dynamo] testkit::app::drf_settings() =>
    concurrent_first_logins_yield_one_token,
    interleaved_rounds_never_hand_out_a_dead_key,
    a_weak_password_hash_is_upgraded_at_login,
    a_login_racing_a_logout_never_returns_the_deleted_key,
    a_stored_hash_over_the_cost_limit_never_logs_in,
    of_concurrent_password_changes_from_one_password_exactly_one_wins,
);
tests_on!([memory, dynamo] testkit::policy::per_login() =>
    per_login_rounds_leave_no_token_unlisted,
);
tests_on!([memory, dynamo] testkit::contract::short_lived_tokens() =>
    an_expired_token_is_refused_and_replaced_at_the_next_login,
);
use testkit::contract::an_expired_token_is_refused_and_replaced_at_the_next_login;

/// Concurrent first logins of one user.
const CONCURRENT_LOGINS: usize = 50;

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
    assert_eq!(tokens.len(), CONCURRENT_LOGINS, "every login answered 200");
    tokens.sort();
    tokens.dedup();
    assert_eq!(
        tokens.len(),
        1,
        "{CONCURRENT_LOGINS} concurrent logins gave {} different tokens",
        tokens.len()
    );
    app.whoami(&tokens[0])
        .await
        .assert(200, json!({ "username": "admin" }));
    app.assert_consistent(ADMIN.0).await;
}

/// Password changes sent at once, each from the same current password.
const CONCURRENT_CHANGES: usize = 6;

/// `set_password` rests on the current password checked: of several changes made at once from
/// the same one, exactly one is written (204) and every other is told the current password is
/// no longer right (400 `Invalid password.`; or 401, the key already revoked by the winner's),
/// wherever their checks and writes interleave; the
/// winner's password is the one that logs in, and no key of the old password survives.
async fn of_concurrent_password_changes_from_one_password_exactly_one_wins(app: TestApp) {
    let app = Arc::new(app);
    let key = app.login(ADMIN).await;
    let tasks: Vec<_> = (0..CONCURRENT_CHANGES)
        .map(|index| {
            let (app, key) = (Arc::clone(&app), key.clone());
            tokio::spawn(async move {
                let new = format!("the new password number {index}");
                let request = testkit::app::TestRequest::post("/auth/users/set_password/")
                    .token(&key)
                    .json(&json!({ "current_password": ADMIN.1, "new_password": new }));
                (new, app.send(request).await)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (new, response) = within(120, task).await.expect("a change");
        match response.status {
            204 => winners.push(new),
            // A change that started after the winner's had revoked the key.
            401 => response.assert_401("Invalid token."),
            _ => response.assert(400, json!({ "current_password": ["Invalid password."] })),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    app.whoami(&key).await.assert_401("Invalid token.");
    app.login((ADMIN.0, &winners[0])).await;
    app.assert_consistent(ADMIN.0).await;
}

/// Tasks that act on one user at once, and rounds each.
const TASKS: u64 = 4;
const ROUNDS_PER_TASK: u64 = 250;

/// 1000 rounds of login, whoami and logout from several tasks on one user. Login must never
/// return a key that whoami then rejects, unless a logout could have deleted it since: one that
/// finished after the login began, or one still in flight (the server may have applied it before
/// its answer arrives). Every answer is 200 or 401, and the tables stay consistent.
async fn interleaved_rounds_never_hand_out_a_dead_key(app: TestApp) {
    let app = Arc::new(app);
    let logouts_finished = Arc::new(AtomicU64::new(0));
    let logouts_in_flight = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let app = Arc::clone(&app);
            let logouts_finished = Arc::clone(&logouts_finished);
            let logouts_in_flight = Arc::clone(&logouts_in_flight);
            tokio::spawn(async move {
                // xorshift: a different, repeatable sequence of actions per task.
                let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ (task + 1);
                let mut last_key: Option<String> = None;
                for _ in 0..ROUNDS_PER_TASK {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    match (state % 10, &last_key) {
                        (0..=3, _) | (_, None) => {
                            let before = logouts_finished.load(Ordering::SeqCst);
                            let key = app.login(ADMIN).await;
                            let check = app.whoami(&key).await;
                            if check.status != 200 {
                                check.assert_401("Invalid token.");
                                assert!(
                                    logouts_finished.load(Ordering::SeqCst) > before
                                        || logouts_in_flight.load(Ordering::SeqCst) > 0,
                                    "login returned a key that whoami rejects, and no logout could have deleted it"
                                );
                            }
                            last_key = Some(key);
                        }
                        (4..=6, Some(key)) => {
                            let answer = app.whoami(key).await;
                            assert!(matches!(answer.status, 200 | 401), "{}", answer.text());
                        }
                        (_, Some(key)) => {
                            logouts_in_flight.fetch_add(1, Ordering::SeqCst);
                            let answer = app.logout(key).await;
                            logouts_finished.fetch_add(1, Ordering::SeqCst);
                            logouts_in_flight.fetch_sub(1, Ordering::SeqCst);
                            assert!(matches!(answer.status, 200 | 401), "{}", answer.text());
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        within(600, task).await.expect("task");
    }
    app.assert_consistent(ADMIN.0).await;
    app.assert_consistent(BOB.0).await;
}

async fn a_weak_password_hash_is_upgraded_at_login(app: TestApp) {
    let weak = insert_user_hashed_with(&app, ("legacy", "old secret"), 1024, 1).await;
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

/// A login whose password verification is slow (100 MiB and 4 passes, the most work a stored
/// hash may ask for, instead of 19 MiB and 2) takes long enough for a logout to finish while it
/// verifies. The login must not then return the key that logout deleted: it reads the user
/// again after verifying, finds no token, and issues one.
async fn a_login_racing_a_logout_never_returns_the_deleted_key(app: TestApp) {
    insert_user_hashed_with(&app, ("slow", "slow secret"), 102_400, 4).await;
    let app = Arc::new(app);
    for round in 0..3 {
        let key = app.login(("slow", "slow secret")).await;
        let racing = {
            let app = Arc::clone(&app);
            tokio::spawn(async move { app.login(("slow", "slow secret")).await })
        };
        // The racing login has read the user and is verifying (tens of milliseconds).
        tokio::time::sleep(std::time::Duration::from_millis(15)).await;
        app.logout(&key)
            .await
            .assert(200, json!({ "username": null }));
        let returned = within(60, racing).await.expect("login task");
        assert_ne!(
            returned, key,
            "round {round}: login returned the key a logout deleted during it"
        );
        app.whoami(&returned)
            .await
            .assert(200, json!({ "username": "slow" }));
    }
    app.assert_consistent("slow").await;
}

/// A hash stored before the import refused such hashes (5 passes, one over the limit) is not
/// run at login: its own password gets DRF's 400, as any wrong one does.
async fn a_stored_hash_over_the_cost_limit_never_logs_in(app: TestApp) {
    insert_user_hashed_with(&app, ("costly", "costly secret"), 1024, 5).await;
    let answer = app
        .send(
            testkit::app::TestRequest::post("/api-token-auth/")
                .json(&json!({ "username": "costly", "password": "costly secret" })),
        )
        .await;
    answer.assert(
        400,
        json!({ "non_field_errors": ["Unable to log in with provided credentials."] }),
    );
    insert_user_hashed_with(&app, ("affordable", "affordable secret"), 1024, 4).await;
    app.login(("affordable", "affordable secret")).await;
}

/// Adds an active user whose password is hashed with argon2id at `memory_kib` and `passes`
/// (other parameters than the project's), and returns that hash.
async fn insert_user_hashed_with(
    app: &TestApp,
    (username, password): (&str, &str),
    memory_kib: u32,
    passes: u32,
) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(memory_kib, passes, 1, None).unwrap();
    let hash = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(
            password.as_bytes(),
            &SaltString::encode_b64(b"sixteen byte slt").unwrap(),
        )
        .unwrap()
        .to_string();
    app.insert_user(&authtoken::store::User {
        username: username.into(),
        password_hash: hash.clone(),
        active: true,
        per_user_token: None,
        per_login_tokens: Vec::new(),
        created: 0,
        credentials: 0,
        id: None,
        email: String::new(),
        link_nonce: None,
        awaiting_activation: false,
    })
    .await;
    hash
}

/// Rounds of each task under the per-login policy.
const PER_LOGIN_ROUNDS: u64 = 60;

/// Per-login logins, logouts and logouts-all of one user from several tasks at once: afterwards
/// a key authenticates exactly when its user lists it (no record left behind by a logout-all
/// racing a login, no listed token without its record), and a last logout-all leaves none.
async fn per_login_rounds_leave_no_token_unlisted(app: TestApp) {
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let app = Arc::clone(&app);
            tokio::spawn(async move {
                let mut state = 0x2545_f491_4f6c_dd1d_u64 ^ (task + 1);
                let mut issued = Vec::new();
                for _ in 0..PER_LOGIN_ROUNDS {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    match (state % 4, issued.last()) {
                        (0 | 1, _) | (_, None) => issued.push(app.login(ADMIN).await),
                        (2, Some(key)) => {
                            let answer = app.logout(key).await;
                            assert!(matches!(answer.status, 200 | 401), "{}", answer.text());
                        }
                        (_, Some(key)) => {
                            let answer = app.logoutall(key).await;
                            assert!(matches!(answer.status, 200 | 401), "{}", answer.text());
                        }
                    }
                }
                issued
            })
        })
        .collect();
    let mut keys = Vec::new();
    for task in tasks {
        keys.extend(within(600, task).await.expect("task"));
    }
    app.assert_consistent(ADMIN.0).await;
    let user = app.stored_user(ADMIN.0).await.expect("admin");
    let mut live = None;
    for key in &keys {
        let digest = authtoken::secrets::token::TokenKey::new(key.as_str()).digest();
        let listed = user
            .per_login_tokens
            .iter()
            .any(|issued| issued.digest == digest);
        let answer = app.whoami(key).await;
        assert_eq!(answer.status == 200, listed, "{}", answer.text());
        if listed {
            live = Some(key);
        }
    }
    if let Some(key) = live {
        app.logoutall(key)
            .await
            .assert(200, json!({ "username": null }));
    }
    for key in &keys {
        app.whoami(key).await.assert_401("Invalid token.");
    }
}

/// A password change committed between a login's password check and its token write: the
/// login verified the old password, so it must get no token (400, as a wrong password), and
/// the user must hold none, under either policy and whether the change revokes or keeps tokens.
async fn a_password_change_racing_a_login<S: Store + 'static>(
    inner: Arc<S>,
    settings: Settings,
    token: admin::TokenOnReset,
) {
    admin::create_user(&*inner, ADMIN.0, Password::new(ADMIN.1), true)
        .await
        .unwrap();
    let store = BeforeTokenWrite::new(Arc::clone(&inner), move |inner| async move {
        admin::set_password(&*inner, ADMIN.0, Password::new("the new password"), token)
            .await
            .unwrap();
    });
    let outcome = login::obtain_token(&store, &settings, ADMIN.0, Password::new(ADMIN.1)).await;
    assert!(
        store.stepped(),
        "the password changed before the token write"
    );
    assert!(
        matches!(outcome, Err(login::LoginError::InvalidCredentials)),
        "{outcome:?}"
    );
    let user = inner.user(ADMIN.0).await.unwrap().unwrap();
    assert!(
        !user.holds_tokens(),
        "a token of the old password: {user:?}"
    );
    // The new password logs in.
    let granted = login::obtain_token(
        &store,
        &settings,
        ADMIN.0,
        Password::new("the new password"),
    )
    .await
    .unwrap();
    assert_eq!(
        inner
            .token(&granted.key.digest())
            .await
            .unwrap()
            .unwrap()
            .username,
        ADMIN.0
    );
}

mod a_password_change_racing_a_login {
    use super::*;

    async fn on_both_stores(settings: Settings, token: admin::TokenOnReset) {
        a_password_change_racing_a_login(Arc::new(MemoryStore::new()), settings.clone(), token)
            .await;
        let dynamo = testkit::dynamo::fresh_store().await;
        a_password_change_racing_a_login(Arc::new(dynamo), settings, token).await;
    }

    #[tokio::test]
    async fn per_user_revoking() {
        on_both_stores(Settings::default(), admin::TokenOnReset::Revoke).await;
    }

    #[tokio::test]
    async fn per_user_keeping_tokens() {
        on_both_stores(Settings::default(), admin::TokenOnReset::Keep).await;
    }

    #[tokio::test]
    async fn per_login() {
        let settings = Settings {
            token_policy: authtoken::policy::TokenPolicy::PerLogin { limit: None },
            ..Settings::default()
        };
        on_both_stores(settings, admin::TokenOnReset::Revoke).await;
    }
}

/// Per-login, a user who already holds tokens: the reset removes the whole list the login's
/// write is conditioned on. Memory store only: moto answers that condition (an entry of a map
/// that no longer exists) with a 500 rather than a failed condition, as DynamoDB does, so this
/// branch of the retry cannot run against it.
#[tokio::test]
async fn a_password_change_racing_a_per_login_login_of_a_user_with_tokens() {
    let settings = Settings {
        token_policy: authtoken::policy::TokenPolicy::PerLogin { limit: None },
        ..Settings::default()
    };
    let inner = Arc::new(MemoryStore::new());
    admin::create_user(&*inner, ADMIN.0, Password::new(ADMIN.1), true)
        .await
        .unwrap();
    let earlier = login::obtain_token(&*inner, &settings, ADMIN.0, Password::new(ADMIN.1))
        .await
        .unwrap();
    let store = BeforeTokenWrite::new(Arc::clone(&inner), |inner| async move {
        let token = admin::TokenOnReset::Revoke;
        admin::set_password(&*inner, ADMIN.0, Password::new("the new password"), token)
            .await
            .unwrap();
    });
    let outcome = login::obtain_token(&store, &settings, ADMIN.0, Password::new(ADMIN.1)).await;
    assert!(
        matches!(outcome, Err(login::LoginError::InvalidCredentials)),
        "{outcome:?}"
    );
    assert_eq!(inner.token(&earlier.key.digest()).await.unwrap(), None);
    assert!(!inner.user(ADMIN.0).await.unwrap().unwrap().holds_tokens());
}

/// Tokens issued while no TTL was set have no expiry; once `TOKEN_TTL_SECONDS` is set they
/// expire that long after their creation (whoami, the authorizer and the guard refuse them),
/// and a per-user login hands out a new key rather than such an old one.
async fn a_ttl_set_later_expires_the_tokens_issued_without_one(store: impl Store) {
    admin::create_user(&store, ADMIN.0, Password::new(ADMIN.1), true)
        .await
        .unwrap();
    let old = authtoken::store::NewToken {
        key: authtoken::secrets::token::TokenKey::generate(
            authtoken::secrets::token::TokenFormat::Hex,
        ),
        created: authtoken::clock::now() - 120,
        expires: None,
    };
    assert!(testkit::keys::install(&store, ADMIN.0, &old).await);
    let without_ttl = Settings::default();
    let with_ttl = Settings {
        token_ttl_seconds: Some(60),
        ..Settings::default()
    };
    let authenticated = |settings: Settings, key: authtoken::secrets::token::TokenKey| {
        let store = &store;
        async move {
            authtoken::tokens::authenticate(store, &settings, &key)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        authenticated(without_ttl, old.key.clone()).await.as_deref(),
        Some(ADMIN.0)
    );
    assert_eq!(authenticated(with_ttl.clone(), old.key.clone()).await, None);
    let granted = login::obtain_token(&store, &with_ttl, ADMIN.0, Password::new(ADMIN.1))
        .await
        .unwrap();
    assert_ne!(granted.key, old.key);
    assert!(granted.expires.is_some());
    assert_eq!(
        authenticated(with_ttl, granted.key).await.as_deref(),
        Some(ADMIN.0)
    );
}

#[tokio::test]
async fn a_ttl_set_later_expires_the_tokens_issued_without_one_memory() {
    a_ttl_set_later_expires_the_tokens_issued_without_one(MemoryStore::new()).await;
}

#[tokio::test]
async fn a_ttl_set_later_expires_the_tokens_issued_without_one_dynamo() {
    a_ttl_set_later_expires_the_tokens_issued_without_one(testkit::dynamo::fresh_store().await)
        .await;
}
