//! `TOKEN_FORMAT=prefixed`: logins issue `atk_` keys with a checksum, on the memory store and on
//! DynamoDB; keys of either form keep authenticating whatever the setting (a deployment can
//! switch without logging anyone out); a mistyped or forged prefixed key is refused before any
//! read (counted in calls.rs).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::admin;
use authtoken::clock::now;
use authtoken::config::Settings;
use authtoken::login::obtain_token;
use authtoken::secrets::password::Password;
use authtoken::secrets::token::{TokenFormat, TokenKey};
use authtoken::store::memory::MemoryStore;
use authtoken::store::{NewToken, Store};
use authtoken::tokens;

fn with_format(token_format: TokenFormat) -> Settings {
    Settings {
        token_format,
        ..Settings::default()
    }
}

/// Whose token `key` is, as whoami would find it.
async fn owner(store: &impl Store, key: &TokenKey) -> Option<String> {
    tokens::authenticate(store, &Settings::default(), key)
        .await
        .unwrap()
}

/// The key a login of `username` (password "pw") gets under `settings`.
async fn login(store: &impl Store, settings: &Settings, username: &str) -> TokenKey {
    obtain_token(store, settings, username, Password::new("pw"))
        .await
        .unwrap()
        .key
}

async fn prefixed_logins_and_both_forms_accepted(store: &impl Store) {
    admin::create_user(store, "ann", Password::new("pw"), true)
        .await
        .unwrap();
    admin::create_user(store, "bob", Password::new("pw"), true)
        .await
        .unwrap();
    let prefixed = with_format(TokenFormat::Prefixed);
    let key = login(store, &prefixed, "ann").await;
    let text = key.expose();
    assert!(text.starts_with("atk_") && text.len() == 40, "{text}");
    assert!(key.is_well_formed());
    assert_eq!(owner(store, &key).await.as_deref(), Some("ann"));
    // The same key again at the next login, as with DRF's keys.
    let again = login(store, &prefixed, "ann").await;
    assert_eq!(again, key);

    // bob holds a DRF key from before the switch: it still opens everything.
    let hex = NewToken {
        key: TokenKey::generate(TokenFormat::Hex),
        created: now(),
        expires: None,
    };
    assert!(testkit::keys::install(store, "bob", &hex).await);
    assert_eq!(owner(store, &hex.key).await.as_deref(), Some("bob"));
    let bobs = login(store, &prefixed, "bob").await;
    assert_eq!(bobs, hex.key, "a live DRF key is handed back, not replaced");

    // Switched back to hex: the prefixed key still authenticates.
    assert_eq!(owner(store, &key).await.as_deref(), Some("ann"));
    let back = login(store, &with_format(TokenFormat::Hex), "ann").await;
    assert_eq!(back, key);
}

#[tokio::test]
async fn memory_store() {
    prefixed_logins_and_both_forms_accepted(&MemoryStore::new()).await;
}

#[tokio::test]
async fn dynamodb_store() {
    prefixed_logins_and_both_forms_accepted(&testkit::dynamo::fresh_store().await).await;
}
