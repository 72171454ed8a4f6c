//! The token policies (testkit's policy cases) on the handlers over the memory store and over
//! DynamoDB (moto, fresh tables per test), and what only the store shows: no key in plain text
//! anywhere under per-login, the switch from per-user keeping every token valid, and
//! logout-all beyond one transaction's worth of tokens. The same cases run through
//! `authtoken serve` over HTTP in the CLI's tests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::Ctx;
use authtoken::admin;
use authtoken::secrets::password::Password;
use authtoken::store::{Store, TOKENS_PER_STEP};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::json;
use testkit::app::{ADMIN, TestApp, drf_settings};
use testkit::policy::{per_login, per_login_expiring};

testkit::policy_suite!(memory, testkit::app::TestApp::memory);
testkit::policy_suite!(dynamo, testkit::app::TestApp::dynamo);

/// Every string in an item, map keys included.
fn strings(value: &AttributeValue, into: &mut Vec<String>) {
    match value {
        AttributeValue::S(text) => into.push(text.clone()),
        AttributeValue::M(map) => {
            for (key, value) in map {
                into.push(key.clone());
                strings(value, into);
            }
        }
        AttributeValue::L(list) => list.iter().for_each(|value| strings(value, into)),
        AttributeValue::Ss(set) => into.extend(set.iter().cloned()),
        _ => {}
    }
}

/// Every string stored in the users and tokens tables of `ctx`.
async fn stored_strings(ctx: &Ctx<authtoken::store::dynamo::DynamoStore>) -> Vec<String> {
    let client = testkit::dynamo::client();
    let mut found = Vec::new();
    for table in [&ctx.store.tables().users, &ctx.store.tables().tokens] {
        let output = client.scan().table_name(table).send().await.unwrap();
        for item in output.items() {
            for (name, value) in item {
                found.push(name.clone());
                strings(value, &mut found);
            }
        }
    }
    found
}

fn dynamo_ctx(app: &TestApp) -> &Ctx<authtoken::store::dynamo::DynamoStore> {
    let TestApp::Dynamo(ctx) = app else {
        unreachable!("a DynamoDB app")
    };
    ctx
}

#[tokio::test]
async fn under_per_login_no_key_is_stored_in_either_table() {
    let app = TestApp::dynamo(per_login()).await;
    let mut keys = Vec::new();
    for _ in 0..3 {
        keys.push(app.login(ADMIN).await);
    }
    let stored = stored_strings(dynamo_ctx(&app)).await;
    assert!(!stored.is_empty());
    for key in &keys {
        assert!(
            !stored.iter().any(|text| text.contains(key.as_str())),
            "a key is stored"
        );
        let digest = authtoken::secrets::token::TokenKey::new(key.as_str()).digest();
        assert!(
            stored.iter().any(|text| text == digest.as_str()),
            "its digest is"
        );
    }
}

#[tokio::test]
async fn switching_to_per_login_keeps_per_user_tokens_valid_and_drops_their_keys() {
    let app = TestApp::dynamo(drf_settings()).await;
    let old = app.login(ADMIN).await;
    let bobs = app.login(testkit::app::BOB).await;
    let ctx = dynamo_ctx(&app);
    let stored = stored_strings(ctx).await;
    assert!(
        !stored.contains(&old),
        "per-user keeps the key on the user item sealed only"
    );

    // admin logs in under per-login: the old key moves among the digests, still valid.
    let switched = TestApp::Dynamo(std::sync::Arc::new(Ctx::new(
        testkit::dynamo::store(testkit::dynamo::client(), ctx.store.tables().clone()),
        per_login(),
    )));
    let new = switched.login(ADMIN).await;
    assert_ne!(new, old);
    for token in [&old, &new] {
        switched
            .whoami(token)
            .await
            .assert(200, json!({ "username": ADMIN.0 }));
    }
    let user = switched.stored_user(ADMIN.0).await.unwrap();
    assert_eq!(
        (user.per_user_token, user.per_login_tokens.len()),
        (None, 2)
    );

    // bob never logs in again: the admin command drops his key, and his token still works.
    assert!(admin::forget_key(&ctx.store, "bob").await.unwrap());
    assert!(!admin::forget_key(&ctx.store, "bob").await.unwrap());
    let stored = stored_strings(ctx).await;
    for key in [&old, &new, &bobs] {
        assert!(!stored.contains(key), "no key left in plain text");
    }
    switched
        .whoami(&bobs)
        .await
        .assert(200, json!({ "username": "bob" }));

    // Logout of the moved token, under per-login, finds it among the digests.
    switched
        .logout(&old)
        .await
        .assert(200, json!({ "username": null }));
    switched.whoami(&old).await.assert_401("Invalid token.");
    switched
        .whoami(&new)
        .await
        .assert(200, json!({ "username": ADMIN.0 }));
}

/// More tokens than one transaction can delete: logout-all, and deactivation, leave none.
async fn beyond_one_step(app: TestApp) {
    let count = 2 * TOKENS_PER_STEP + 3;
    let ctx_settings = per_login();
    let mut keys = Vec::new();
    for _ in 0..count {
        let granted = match &app {
            TestApp::Memory(ctx) => admin::issue_token(&ctx.store, &ctx_settings, ADMIN.0, false)
                .await
                .unwrap(),
            TestApp::Dynamo(ctx) => admin::issue_token(&ctx.store, &ctx_settings, ADMIN.0, false)
                .await
                .unwrap(),
            TestApp::Http(_) | TestApp::Remote(_) => unreachable!("store apps only"),
        };
        keys.push(granted.key.expose().to_owned());
    }
    assert_eq!(
        app.stored_user(ADMIN.0)
            .await
            .unwrap()
            .per_login_tokens
            .len(),
        count
    );
    app.logoutall(&keys[0])
        .await
        .assert(200, json!({ "username": null }));
    for key in &keys {
        app.whoami(key).await.assert_401("Invalid token.");
    }
    let user = app.stored_user(ADMIN.0).await.unwrap();
    assert!(!user.holds_tokens(), "{user:?}");
}

#[tokio::test]
async fn logout_all_deletes_more_tokens_than_one_transaction_holds_memory() {
    beyond_one_step(TestApp::memory(per_login()).await).await;
}

#[tokio::test]
async fn logout_all_deletes_more_tokens_than_one_transaction_holds_dynamo() {
    beyond_one_step(TestApp::dynamo(per_login()).await).await;
}

#[tokio::test]
async fn deactivating_a_user_with_many_tokens_leaves_none() {
    let app = TestApp::dynamo(per_login()).await;
    let ctx = dynamo_ctx(&app);
    let mut keys = Vec::new();
    for _ in 0..TOKENS_PER_STEP + 5 {
        let granted = admin::issue_token(&ctx.store, &per_login(), ADMIN.0, false)
            .await
            .unwrap();
        keys.push(granted.key);
    }
    assert!(admin::set_active(&ctx.store, ADMIN.0, false).await.unwrap());
    for key in &keys {
        assert_eq!(ctx.store.token(&key.digest()).await.unwrap(), None);
    }
    let user = ctx.store.user(ADMIN.0).await.unwrap().unwrap();
    assert!(!user.active && !user.holds_tokens(), "{user:?}");
}

/// DynamoDB's TTL sweep deletes an expired token's record while the user still lists it: every
/// way of revoking all of a user's tokens must still finish (a missing record is a token
/// already revoked), and leave none valid.
async fn revoking_after_the_sweep(app: TestApp) {
    let swept = app.login(ADMIN).await;
    let kept = app.login(ADMIN).await;
    app.sweep(&swept).await;
    app.logoutall(&kept)
        .await
        .assert(200, json!({ "username": null }));
    app.whoami(&kept).await.assert_401("Invalid token.");
    assert!(!app.stored_user(ADMIN.0).await.unwrap().holds_tokens());

    // The same state for the administration commands: revoke --all, set-password (beyond one
    // step's worth of tokens, so that it sheds them first), deactivate.
    for command in ["revoke --all", "set-password", "deactivate"] {
        let mut keys = Vec::new();
        for _ in 0..TOKENS_PER_STEP + 2 {
            keys.push(match &app {
                TestApp::Memory(ctx) => issue(&ctx.store).await,
                TestApp::Dynamo(ctx) => issue(&ctx.store).await,
                TestApp::Http(_) | TestApp::Remote(_) => unreachable!("store apps only"),
            });
        }
        app.sweep(&keys[0]).await;
        let outcome = match &app {
            TestApp::Memory(ctx) => run(&ctx.store, command).await,
            TestApp::Dynamo(ctx) => run(&ctx.store, command).await,
            TestApp::Http(_) | TestApp::Remote(_) => unreachable!("store apps only"),
        };
        assert!(outcome.is_ok(), "{command}: {outcome:?}");
        for key in &keys[1..] {
            app.whoami(key).await.assert_401("Invalid token.");
        }
        // (deactivate comes last: the user stays inactive)
        assert!(
            !app.stored_user(ADMIN.0).await.unwrap().holds_tokens(),
            "{command}"
        );
    }
}

/// A per-login token for admin, issued by the administration command.
async fn issue(store: &impl Store) -> String {
    admin::issue_token(store, &per_login_expiring(), ADMIN.0, false)
        .await
        .unwrap()
        .key
        .expose()
        .to_owned()
}

/// An administration command that revokes every token of admin.
async fn run(store: &impl Store, command: &str) -> Result<(), admin::AdminError> {
    match command {
        "revoke --all" => admin::revoke_tokens(store, ADMIN.0, &admin::WhichTokens::All)
            .await
            .map(drop),
        "set-password" => admin::set_password(
            store,
            ADMIN.0,
            Password::new(ADMIN.1),
            admin::TokenOnReset::Revoke,
        )
        .await
        .map(drop),
        _ => admin::set_active(store, ADMIN.0, false).await.map(drop),
    }
}

#[tokio::test]
async fn revocation_finishes_after_the_ttl_sweep_memory() {
    revoking_after_the_sweep(TestApp::memory(per_login_expiring()).await).await;
}

#[tokio::test]
async fn revocation_finishes_after_the_ttl_sweep_dynamo() {
    revoking_after_the_sweep(TestApp::dynamo(per_login_expiring()).await).await;
}
