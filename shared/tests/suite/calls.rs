//! DynamoDB operations per request, counted by an SDK interceptor: whoami one read; login of a
//! user with a token two reads (the user with the name's failed logins, then the user again
//! after the password check) and two writes (the attempt counted before the password is
//! checked, then forgotten on success), and one write more, once, for a key kept in plain text
//! by a version before sealing (it is sealed in passing); login creating a token those and a
//! transaction; a failed login a read and a write (the attempt counted); a locked name the
//! read alone; logout at most two, the authorizer one read per authorization, and nothing at
//! all for requests refused before the store is needed. Under the per-login policy: login
//! reads as above and writes one transaction, logout one read and one transaction, logout-all
//! a read of the token, then per 50 tokens a read of the user and a transaction, and a last
//! read of the user. Sliding expiry adds one transaction to whoami when a renewal is due, none
//! otherwise. djoser's login makes the login's calls, its logout logout-all's; set_password
//! reads the token, checks the current password as a login does, and writes once (a
//! transaction with the tokens' records, or an update of the user that keeps them).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::Ctx;
use authtoken::admin;
use authtoken::authorizer::authorize;
use authtoken::config::Settings;
use authtoken::secrets::password::Password;
use serde_json::json;
use testkit::app::{ADMIN, TestApp, TestRequest};
use testkit::dynamo::OperationLog;
use testkit::events::authorizer_request;

async fn recorded_app() -> (TestApp, OperationLog) {
    recorded_app_with(Settings::default()).await
}

async fn recorded_app_with(settings: Settings) -> (TestApp, OperationLog) {
    let tables = testkit::dynamo::fresh_store().await.tables().clone();
    let (client, log) = testkit::dynamo::recording_client();
    let store = testkit::dynamo::store(client, tables);
    admin::create_user(&store, ADMIN.0, Password::new(ADMIN.1), true)
        .await
        .unwrap();
    log.take();
    let app = TestApp::Dynamo(std::sync::Arc::new(Ctx::new(store, settings)));
    (app, log)
}

/// A login's calls before any token is written: the user and the name's failed logins read at
/// once, the attempt counted, the user read again after the password check, the count forgotten.
const LOGIN: [&str; 4] = ["BatchGetItem", "UpdateItem", "GetItem", "DeleteItem"];
/// A failed login's calls: the reads, then the attempt counted (and kept).
const FAILED_LOGIN: [&str; 2] = ["BatchGetItem", "UpdateItem"];
/// The one transaction that writes a new token with its listing on the user.
const NEW_TOKEN: &str = "TransactWriteItems";

/// `LOGIN` followed by `more`.
fn login_then(more: &[&'static str]) -> Vec<&'static str> {
    [&LOGIN[..], more].concat()
}

fn login_json(password: &str) -> TestRequest {
    TestRequest::post("/api-token-auth/")
        .json(&json!({ "username": ADMIN.0, "password": password }))
}

/// A key kept in plain text by a version before sealing costs its user's next login one
/// `UpdateItem` more (it is sealed in passing), once; the logins after it make the usual calls.
#[tokio::test]
async fn a_plain_key_is_sealed_by_one_write_once() {
    let tables = testkit::dynamo::fresh_store().await.tables().clone();
    let (client, log) = testkit::dynamo::recording_client();
    let store = testkit::dynamo::store(client, tables);
    let key =
        authtoken::secrets::token::TokenKey::generate(authtoken::secrets::token::TokenFormat::Hex);
    let hash = authtoken::secrets::password::hash(&Password::new(ADMIN.1)).unwrap();
    testkit::keys::user_keeping(
        &store,
        ADMIN.0,
        &hash,
        &key,
        authtoken::secrets::seal::KeptKey::Plain(key.clone()),
    )
    .await;
    log.take();
    let app = TestApp::Dynamo(std::sync::Arc::new(Ctx::new(store, Settings::default())));
    assert_eq!(app.login(ADMIN).await, key.expose());
    log.expect(&login_then(&["UpdateItem"]), "the login that seals the key");
    assert_eq!(app.login(ADMIN).await, key.expose());
    log.expect(&LOGIN, "the logins after it");
}

#[tokio::test]
async fn each_endpoint_makes_the_fewest_calls() {
    let (app, log) = recorded_app().await;

    // Login reads the user and the name's failed logins at once, counts the attempt (so that
    // concurrent guesses cannot all be verified), verifies the password, reads the user again
    // (a logout during the verification must not leave it returning a deleted key) and forgets
    // the count.
    let token = app.login(ADMIN).await;
    log.expect(&login_then(&[NEW_TOKEN]), "first login");

    assert_eq!(app.login(ADMIN).await, token);
    log.expect(&LOGIN, "login of a user who has a token");

    app.whoami(&token)
        .await
        .assert(200, json!({ "username": "admin" }));
    log.expect(&["GetItem"], "whoami");

    app.send(login_json("wrong")).await;
    log.expect(&FAILED_LOGIN, "wrong password: counted");
    app.send(
        TestRequest::post("/api-token-auth/")
            .json(&json!({ "username": "nobody", "password": "x" })),
    )
    .await;
    log.expect(&FAILED_LOGIN, "unknown user: counted alike");
    assert_eq!(app.login(ADMIN).await, token);
    log.expect(
        &LOGIN,
        "login after a failure: counted, then the count is forgotten",
    );

    app.logout(&token)
        .await
        .assert(200, json!({ "username": null }));
    log.expect(&["GetItem", "TransactWriteItems"], "logout");

    app.whoami(&token).await.assert_401("Invalid token.");
    log.expect(&["GetItem"], "whoami with a deleted key");
}

/// djoser's endpoints: its login makes the login's calls; its logout logout-all's (the token,
/// the user, one transaction per 50 tokens, the user again); set_password the token's read, the
/// login's checks of the current password, and one write: a transaction with the tokens'
/// records, or, keeping the tokens, one update of the user. A request refused on its fields
/// alone reads the token only; a wrong current password is counted as a failed login.
#[tokio::test]
async fn djosers_endpoints_make_the_fewest_calls() {
    let (app, log) = recorded_app().await;
    let djoser_login = || {
        TestRequest::post("/auth/token/login/")
            .json(&json!({ "username": ADMIN.0, "password": ADMIN.1 }))
    };
    let key = app.send(djoser_login()).await.json()["auth_token"]
        .as_str()
        .unwrap()
        .to_owned();
    log.expect(&login_then(&[NEW_TOKEN]), "djoser's first login");
    app.send(djoser_login()).await;
    log.expect(&LOGIN, "djoser's login of a user who has a token");
    assert_eq!(
        app.send(TestRequest::post("/auth/token/logout/").token(&key))
            .await
            .status,
        204
    );
    log.expect(
        &["GetItem", "GetItem", "TransactWriteItems", "GetItem"],
        "djoser's logout: the token, the user, one transaction, the user again",
    );

    let key = app.login(ADMIN).await;
    log.take();
    let set_password = |body: serde_json::Value| {
        TestRequest::post("/auth/users/set_password/")
            .token(&key)
            .json(&body)
    };
    app.send(set_password(json!({ "new_password": "x" }))).await;
    log.expect(&["GetItem"], "set_password refused on its fields");
    app.send(set_password(
        json!({ "current_password": "wrong", "new_password": "a new password" }),
    ))
    .await;
    log.expect(
        &[&["GetItem"][..], &FAILED_LOGIN[..]].concat(),
        "set_password with a wrong current password: counted",
    );
    let response = app
        .send(set_password(
            json!({ "current_password": ADMIN.1, "new_password": "a new password" }),
        ))
        .await;
    assert_eq!(response.status, 204, "{}", response.text());
    log.expect(
        &[&["GetItem"][..], &LOGIN[..], &["TransactWriteItems"][..]].concat(),
        "set_password: the token, the login's checks, one transaction",
    );
}

/// `/auth/users/me/`: reading the account is the key's and the user's reads; changing the email
/// one write more; deleting the account checks the current password as a login does, then reads
/// the user and deletes it with its tokens in one transaction.
#[tokio::test]
async fn the_account_endpoint_makes_the_fewest_calls() {
    let (app, log) = recorded_app().await;
    let key = app.login(ADMIN).await;
    log.take();
    let me = |method: &str| TestRequest::new(method, "/auth/users/me/").token(&key);
    assert_eq!(app.send(me("GET")).await.status, 200);
    log.expect(&["GetItem", "GetItem"], "GET me: the key, the user");
    let patched = app
        .send(me("PATCH").json(&json!({ "email": "admin@example.com" })))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    log.expect(
        &["GetItem", "UpdateItem", "GetItem"],
        "PATCH me: the key, the email, the user",
    );
    let deleted = app
        .send(me("DELETE").json(&json!({ "current_password": ADMIN.1 })))
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    log.expect(
        &[
            &["GetItem"][..],
            &LOGIN[..],
            &["GetItem", "TransactWriteItems"][..],
        ]
        .concat(),
        "DELETE me: the key, the login's checks, the user, one transaction",
    );
}

/// A rename checks the current password as a login does, reads the new name twice (the field's
/// check, then the rename's), the key records once, and writes one transaction.
#[tokio::test]
async fn a_rename_is_one_transaction_after_its_reads() {
    let (app, log) = recorded_app().await;
    let key = app.login(ADMIN).await;
    log.take();
    let response = app
        .send(
            TestRequest::post("/auth/users/set_username/")
                .token(&key)
                .json(&json!({ "current_password": ADMIN.1, "new_username": "root" })),
        )
        .await;
    assert_eq!(response.status, 204, "{}", response.text());
    log.expect(
        &[
            &["GetItem"][..],
            &LOGIN[..],
            &["GetItem", "GetItem", "BatchGetItem", "TransactWriteItems"][..],
        ]
        .concat(),
        "set_username",
    );
}

/// Listing sessions reads the key, the user and their records in one batch; ending one reads
/// the key and the user, then writes one transaction.
#[tokio::test]
async fn sessions_cost_three_reads_and_ending_one_a_transaction() {
    let (app, log) = recorded_app().await;
    let key = app.login(ADMIN).await;
    log.take();
    let listed = app
        .send(TestRequest::get("/auth/tokens/").token(&key))
        .await
        .json();
    log.expect(&["GetItem", "GetItem", "BatchGetItem"], "GET /auth/tokens/");
    let digest = listed[0]["digest"].as_str().unwrap().to_owned();
    let ended = app
        .send(TestRequest::new("DELETE", &format!("/auth/tokens/{digest}/")).token(&key))
        .await;
    assert_eq!(ended.status, 204, "{}", ended.text());
    log.expect(
        &["GetItem", "GetItem", "TransactWriteItems"],
        "DELETE /auth/tokens/{prefix}/",
    );
}

/// A registration reads the name, draws the id and writes the user; a name NFKC changes is read
/// in both forms.
#[tokio::test]
async fn a_registration_reads_the_name_and_makes_two_writes() {
    let mut settings = Settings::default();
    settings.accounts.registration_open = true;
    let (app, log) = recorded_app_with(settings).await;
    let register = |name: &str| {
        TestRequest::post("/auth/users/")
            .json(&json!({ "username": name, "password": "a long and rare password" }))
    };
    assert_eq!(app.send(register("newbie")).await.status, 201);
    log.expect(
        &["GetItem", "UpdateItem", "PutItem"],
        "registration: the name, the id, the user",
    );
    assert_eq!(app.send(register("ｆｕｌｌ")).await.status, 201);
    log.expect(
        &["GetItem", "GetItem", "UpdateItem", "PutItem"],
        "registration of a name NFKC changes: both forms read",
    );
}

/// With `LOGOUT_ON_PASSWORD_CHANGE=false`, the new password is one update of the user.
#[tokio::test]
async fn a_password_change_that_keeps_the_tokens_is_one_update() {
    let mut settings = Settings::default();
    settings.accounts.logout_on_password_change = false;
    let (app, log) = recorded_app_with(settings).await;
    let key = app.login(ADMIN).await;
    log.take();
    let response = app
        .send(
            TestRequest::post("/auth/users/set_password/")
                .token(&key)
                .json(&json!({ "current_password": ADMIN.1, "new_password": "a new password" })),
        )
        .await;
    assert_eq!(response.status, 204, "{}", response.text());
    log.expect(
        &[&["GetItem"][..], &LOGIN[..], &["UpdateItem"][..]].concat(),
        "set_password keeping the tokens",
    );
}

#[tokio::test]
async fn per_login_tokens_cost_one_transaction_each_and_logout_all_one_per_fifty() {
    let (app, log) = recorded_app_with(Settings {
        token_policy: authtoken::policy::TokenPolicy::PerLogin { limit: None },
        ..Settings::default()
    })
    .await;
    let first = app.login(ADMIN).await;
    let second = app.login(ADMIN).await;
    assert_ne!(first, second);
    log.expect(&login_then(&[NEW_TOKEN]).repeat(2), "two per-login logins");
    app.logout(&first)
        .await
        .assert(200, json!({ "username": null }));
    log.expect(&["GetItem", "TransactWriteItems"], "logout");
    let third = app.login(ADMIN).await;
    log.take();
    app.logoutall(&third)
        .await
        .assert(200, json!({ "username": null }));
    log.expect(
        &["GetItem", "GetItem", "TransactWriteItems", "GetItem"],
        "logout-all of two tokens: the token, the user, one transaction, the user again",
    );
    app.whoami(&second).await.assert_401("Invalid token.");
}

#[tokio::test]
async fn sliding_expiry_adds_one_transaction_only_when_a_renewal_is_due() {
    for (min_refresh_seconds, expected) in [
        (60, vec!["GetItem"]),
        (0, vec!["GetItem", "TransactWriteItems"]),
    ] {
        let (app, log) = recorded_app_with(Settings {
            token_ttl_seconds: Some(3600),
            token_refresh: Some(authtoken::config::SlidingExpiry {
                ttl_seconds: 3600,
                min_refresh_seconds,
                max_ttl_seconds: None,
            }),
            ..Settings::default()
        })
        .await;
        let token = app.login(ADMIN).await;
        // A second later the renewed expiry is a second later: due only without an interval.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        log.take();
        app.whoami(&token)
            .await
            .assert(200, json!({ "username": "admin" }));
        assert_eq!(log.take(), expected, "min interval {min_refresh_seconds}");
    }
}

#[tokio::test]
async fn requests_refused_before_the_store_make_no_call() {
    let (app, log) = recorded_app().await;
    let refused = [
        TestRequest::get("/api/whoami/"),
        TestRequest::get("/api/whoami/").header("Authorization", "Token"),
        TestRequest::get("/api/whoami/").header("Authorization", "Token a b"),
        TestRequest::get("/api/whoami/").header("Authorization", "Token not-a-key"),
        // A prefixed key whose checksum does not match: mistyped or forged.
        TestRequest::get("/api/whoami/").header(
            "Authorization",
            "Token atk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ),
        TestRequest::post("/api/logout/").header("Authorization", "Bearer x"),
        TestRequest::post("/api/logoutall/"),
        TestRequest::post("/api/logoutall/").header("Authorization", "Token not-a-key"),
        TestRequest::post("/api/whoami/"),
        TestRequest::get("/api/whoami/").header("Accept", "text/csv"),
        TestRequest::post("/api-token-auth/").body("application/json", "{"),
        TestRequest::post("/api-token-auth/").json(&json!({ "username": "admin" })),
        TestRequest::post("/api-token-auth/").body("text/plain", "x"),
        TestRequest::get("/api-token-auth/"),
        TestRequest::new("OPTIONS", "/api/logout/"),
        login_json(&"p".repeat(5000)),
    ];
    for request in refused {
        let response = app.send(request.clone()).await;
        assert!(
            response.status >= 200 && response.status < 500,
            "{request:?}"
        );
        assert_eq!(
            log.take(),
            Vec::<String>::new(),
            "{request:?} -> {}",
            response.status
        );
    }
}

#[tokio::test]
async fn the_authorizer_reads_once_per_authorization_and_never_for_a_malformed_header() {
    let (app, log) = recorded_app().await;
    let token = app.login(ADMIN).await;
    log.take();
    let TestApp::Dynamo(ctx) = &app else {
        unreachable!("recorded_app is on DynamoDB")
    };
    let unknown = "0123456789abcdef0123456789abcdef01234567";
    let read_once = [format!("Token {token}"), format!("Token {unknown}")];
    for header in &read_once {
        authorize(
            &ctx.store,
            &ctx.settings,
            &authorizer_request(Some(header.as_bytes())),
        )
        .await
        .unwrap();
        assert_eq!(log.take(), ["GetItem"], "{header}");
    }
    for header in [
        None,
        Some("Bearer abc"),
        Some("Token"),
        Some("Token a b"),
        Some("Token not-a-key"),
        Some("Token atk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let decision = authorize(
            &ctx.store,
            &ctx.settings,
            &authorizer_request(header.map(str::as_bytes)),
        )
        .await
        .unwrap();
        assert!(!decision.is_authorized, "{header:?}");
        assert_eq!(log.take(), Vec::<String>::new(), "{header:?}");
    }
}

#[tokio::test]
async fn a_locked_name_costs_one_read_and_no_write() {
    // Locks of a minute: the default's first lock (1 s) may end before the next login on a
    // slow machine.
    let settings = testkit::lockout::long_locks();
    let threshold = settings.lockout.threshold;
    let (app, log) = recorded_app_with(settings).await;
    for _ in 0..threshold {
        app.send(login_json("wrong")).await;
    }
    log.take();
    let answer = app.send(login_json(ADMIN.1)).await;
    assert_eq!(answer.status, 429, "{}", answer.text());
    log.expect(&["BatchGetItem"], "locked");
}

/// With the client's address known (API Gateway reports it), a login counts it too: one
/// `UpdateItem` more before the password check, and after a success one more to give the
/// attempt back; a failed login keeps it counted.
#[tokio::test]
async fn a_login_from_a_known_address_counts_it() {
    let (app, log) = recorded_app().await;
    let from = |password: &str| login_json(password).from_source("203.0.113.7");
    assert_eq!(app.send(from(ADMIN.1)).await.status, 200);
    log.expect(
        &[
            "BatchGetItem",
            "UpdateItem",
            "UpdateItem",
            "GetItem",
            "DeleteItem",
            "UpdateItem",
            NEW_TOKEN,
        ],
        "a login from a known address: the source and the name counted, both forgiven",
    );
    assert_eq!(app.send(from("wrong")).await.status, 400);
    log.expect(
        &[&FAILED_LOGIN[..], &["UpdateItem"]].concat(),
        "a failed one: both counted",
    );
}

/// A password reset: the request makes no DynamoDB call at all (it is queued, whoever has the
/// address); the mailer counts the address and the source (two writes), queries the index,
/// then reads the user, points their id and stamps the link (a read, two writes); the link's
/// use reads the id's pointer and the user, then writes the password with the tokens in one
/// transaction and forgets the failed logins.
#[tokio::test]
async fn a_password_reset_makes_the_fewest_calls() {
    use authtoken::mail::MailRequest;
    use authtoken::mail::mailer::Outcome;
    use authtoken::store::Store;
    use testkit::mail::{link_in, mailed};
    let (app, log) = recorded_app().await;
    let TestApp::Dynamo(ctx) = &app else {
        unreachable!("a DynamoDB app")
    };
    ctx.store
        .set_email(ADMIN.0, "admin@example.com")
        .await
        .unwrap();
    log.take();
    app.send(
        TestRequest::post("/auth/users/reset_password/").json(&json!({
            "email": "admin@example.com"
        })),
    )
    .await;
    log.expect(&[], "reset_password");
    let mut settings = testkit::app::drf_settings();
    settings.mail.from = "noreply@example.com".into();
    let request = MailRequest::PasswordReset {
        email: "Admin@Example.com".into(),
        source: Some("203.0.113.7".into()),
    };
    let (outcome, sent) = mailed(&ctx.store, &settings, &request, authtoken::clock::now()).await;
    assert_eq!(outcome.unwrap(), Outcome::Sent(1));
    log.expect(
        &[
            "UpdateItem",
            "UpdateItem",
            "Query",
            "GetItem",
            "PutItem",
            "UpdateItem",
        ],
        "the mailer, one user",
    );
    let (uid, token) = link_in(&sent[0].text);
    let confirmed = app
        .send(
            TestRequest::post("/auth/users/reset_password_confirm/").json(&json!({
                "uid": uid, "token": token, "new_password": "a new and rare password"
            })),
        )
        .await;
    assert_eq!(confirmed.status, 204, "{}", confirmed.text());
    log.expect(
        &["GetItem", "GetItem", "TransactWriteItems", "DeleteItem"],
        "reset_password_confirm",
    );
}

/// Under `SEND_ACTIVATION_EMAIL`: a registration's calls are those without it (the request
/// posted to the mailbox is no DynamoDB call); the mailer reads the user, points their id and
/// stamps the link; the activation reads the id's pointer and the user, then activates in one
/// write. A new address: the key, the user twice (the answer's, the change's), one transaction.
#[tokio::test]
async fn an_activation_makes_the_fewest_calls() {
    use authtoken::mail::MailRequest;
    use authtoken::mail::mailer::Outcome;
    use testkit::mail::{link_in, mailed};
    let mut settings = testkit::app::drf_settings();
    settings.accounts.registration_open = true;
    settings.mail.send_activation = true;
    let (app, log) = recorded_app_with(settings.clone()).await;
    let TestApp::Dynamo(ctx) = &app else {
        unreachable!("a DynamoDB app")
    };
    let registered = app
        .send(TestRequest::post("/auth/users/").json(&json!({
            "username": "newcomer", "password": "a long and rare password",
            "email": "newcomer@example.com"
        })))
        .await;
    assert_eq!(registered.status, 201, "{}", registered.text());
    log.expect(&["GetItem", "UpdateItem", "PutItem"], "registration");
    let request = MailRequest::Activation {
        username: "newcomer".into(),
        source: Some("203.0.113.7".into()),
    };
    let (outcome, sent) = mailed(&ctx.store, &settings, &request, authtoken::clock::now()).await;
    assert_eq!(outcome.unwrap(), Outcome::Sent(1));
    log.expect(
        &[
            "GetItem",
            "UpdateItem",
            "UpdateItem",
            "PutItem",
            "UpdateItem",
        ],
        "the mailer, an activation link",
    );
    let (uid, token) = link_in(&sent[0].text);
    let activated = app
        .send(TestRequest::post("/auth/users/activation/").json(&json!({
            "uid": uid, "token": token
        })))
        .await;
    assert_eq!(activated.status, 204, "{}", activated.text());
    log.expect(&["GetItem", "GetItem", "UpdateItem"], "activation");
    let key = app.login(ADMIN).await;
    log.take();
    let readdressed = app
        .send(
            TestRequest::new("PATCH", "/auth/users/me/")
                .token(&key)
                .json(&json!({ "email": "admin@example.com" })),
        )
        .await;
    assert_eq!(readdressed.status, 200, "{}", readdressed.text());
    log.expect(
        &["GetItem", "GetItem", "GetItem", "TransactWriteItems"],
        "a new address",
    );
}
