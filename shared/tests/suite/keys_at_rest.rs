//! Per-user keys at rest: DRF hands a user the same key at every login, so it is kept on the
//! user, sealed under the seal secret; neither table holds a working key. On both stores, with
//! keys kept in plain text by earlier versions moved to the sealed form, and over moto's
//! Secrets Manager for the secret itself (its versions, a rotation, a bad secret).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::admin::{self, Sealing};
use authtoken::config::Settings;
use authtoken::login;
use authtoken::secrets::password::Password;
use authtoken::secrets::seal::{KeptKey, Opened, SealError, SealKey, Sealer};
use authtoken::secrets::token::{TokenFormat, TokenKey};
use authtoken::store::memory::MemoryStore;
use authtoken::store::{Store, User};
use aws_sdk_dynamodb::types::AttributeValue;

async fn login(store: &impl Store, username: &str) -> Option<String> {
    login::obtain_token(store, &Settings::default(), username, Password::new("pw"))
        .await
        .ok()
        .map(|granted| granted.key.expose().to_owned())
}

/// Adds `username` (password "pw") holding `key` as their per-user token, kept as `kept`.
async fn user_with_key(store: &impl Store, username: &str, key: &TokenKey, kept: KeptKey) {
    let hash = authtoken::secrets::password::hash(&Password::new("pw")).unwrap();
    testkit::keys::user_keeping(store, username, &hash, key, kept).await;
}

fn kept(user: &User) -> &KeptKey {
    &user.per_user_token.as_ref().expect("a per-user key").key
}

/// A login's key is kept sealed, for that user, and handed back again.
async fn a_logins_key_is_kept_sealed(store: impl Store) {
    admin::create_user(&store, "ann", Password::new("pw"), true)
        .await
        .unwrap();
    let key = login(&store, "ann").await.unwrap();
    let user = store.user("ann").await.unwrap().unwrap();
    let KeptKey::Sealed { digest, sealed } = kept(&user) else {
        panic!("kept in plain text: {user:?}");
    };
    assert_eq!(digest, &TokenKey::new(key.as_str()).digest());
    let bytes = sealed.as_bytes();
    assert!(
        !bytes
            .windows(key.len())
            .any(|window| window == key.as_bytes()),
        "the sealed bytes hold the key"
    );
    assert_eq!(login(&store, "ann").await.as_deref(), Some(key.as_str()));
}

/// A key kept in plain text by a version before sealing is handed back, then kept sealed.
async fn a_plain_key_is_handed_back_then_sealed(store: impl Store) {
    let key = TokenKey::generate(TokenFormat::Hex);
    user_with_key(&store, "ann", &key, KeptKey::Plain(key.clone())).await;
    assert_eq!(login(&store, "ann").await.as_deref(), Some(key.expose()));
    let user = store.user("ann").await.unwrap().unwrap();
    assert!(
        matches!(kept(&user), KeptKey::Sealed { digest, .. } if *digest == key.digest()),
        "{user:?}"
    );
    assert_eq!(login(&store, "ann").await.as_deref(), Some(key.expose()));

    // The command does the same for users who do not log in.
    let bobs = TokenKey::generate(TokenFormat::Hex);
    user_with_key(&store, "bob", &bobs, KeptKey::Plain(bobs.clone())).await;
    assert_eq!(
        admin::seal_key(&store, "bob").await.unwrap(),
        Sealing::Resealed
    );
    assert_eq!(
        admin::seal_key(&store, "bob").await.unwrap(),
        Sealing::Current
    );
    admin::create_user(&store, "cy", Password::new("pw"), true)
        .await
        .unwrap();
    assert_eq!(admin::seal_key(&store, "cy").await.unwrap(), Sealing::NoKey);
    assert_eq!(login(&store, "bob").await.as_deref(), Some(bobs.expose()));
}

/// A key sealed under a secret the store does not know, or sealed for another user, is not
/// handed back: the login replaces it, and the old key stops working.
async fn a_key_that_does_not_open_is_replaced(store: impl Store) {
    let key = TokenKey::generate(TokenFormat::Hex);
    let foreign = SealKey::random().seal("ann", &key).unwrap();
    user_with_key(&store, "ann", &key, KeptKey::sealed(&key, foreign)).await;
    let new = login(&store, "ann").await.unwrap();
    assert_ne!(new, key.expose());
    assert_eq!(store.token(&key.digest()).await.unwrap(), None);
    assert_eq!(
        admin::seal_key(&store, "ann").await.unwrap(),
        Sealing::Current
    );

    // bob's item given ann's sealed key: it names ann in its sealing, so it does not open.
    let anns = store.user("ann").await.unwrap().unwrap();
    let KeptKey::Sealed { sealed, .. } = kept(&anns).clone() else {
        panic!("sealed")
    };
    let other = TokenKey::generate(TokenFormat::Hex);
    user_with_key(
        &store,
        "bob",
        &other,
        KeptKey::Sealed {
            digest: other.digest(),
            sealed,
        },
    )
    .await;
    assert_eq!(
        store
            .sealer()
            .open("bob", kept(&store.user("bob").await.unwrap().unwrap()))
            .await
            .unwrap(),
        Opened::Lost
    );
    let bobs = login(&store, "bob").await.unwrap();
    assert_ne!(bobs, new, "bob never gets ann's key");
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn memory() {
                super::$name(super::MemoryStore::new()).await
            }
            #[tokio::test]
            async fn dynamo() {
                super::$name(testkit::dynamo::fresh_store().await).await
            }
        }
    )*};
}

on_both_stores!(
    a_logins_key_is_kept_sealed,
    a_plain_key_is_handed_back_then_sealed,
    a_key_that_does_not_open_is_replaced,
);

/// Every string and binary value stored in `table`, map keys included.
async fn stored_values(table: &str) -> Vec<Vec<u8>> {
    fn collect(value: &AttributeValue, into: &mut Vec<Vec<u8>>) {
        match value {
            AttributeValue::S(text) => into.push(text.as_bytes().to_vec()),
            AttributeValue::B(blob) => into.push(blob.as_ref().to_vec()),
            AttributeValue::M(map) => {
                for (key, value) in map {
                    into.push(key.as_bytes().to_vec());
                    collect(value, into);
                }
            }
            AttributeValue::L(list) => list.iter().for_each(|value| collect(value, into)),
            AttributeValue::Ss(set) => into.extend(set.iter().map(|s| s.as_bytes().to_vec())),
            _ => {}
        }
    }
    let output = testkit::dynamo::client()
        .scan()
        .table_name(table)
        .send()
        .await
        .unwrap();
    let mut found = Vec::new();
    for item in output.items() {
        for (name, value) in item {
            found.push(name.as_bytes().to_vec());
            collect(value, &mut found);
        }
    }
    found
}

#[tokio::test]
async fn neither_table_holds_a_working_key() {
    let store = testkit::dynamo::fresh_store().await;
    let mut keys = Vec::new();
    for name in ["ann", "bob", "cy"] {
        admin::create_user(&store, name, Password::new("pw"), true)
            .await
            .unwrap();
        keys.push(login(&store, name).await.unwrap());
    }
    let plain = TokenKey::generate(TokenFormat::Hex);
    user_with_key(&store, "dee", &plain, KeptKey::Plain(plain.clone())).await;
    keys.push(login(&store, "dee").await.unwrap());
    assert_eq!(keys[3], plain.expose(), "dee's key from before sealing");

    let tables = store.tables();
    let mut stored = stored_values(&tables.users).await;
    stored.extend(stored_values(&tables.tokens).await);
    assert!(stored.len() > 10, "{} values", stored.len());
    for key in &keys {
        assert!(
            !stored
                .iter()
                .any(|value| value.windows(key.len()).any(|w| w == key.as_bytes())),
            "a key is stored"
        );
    }
}

/// A secret of its own in moto's Secrets Manager, with `text` as its first version.
async fn secret(text: &str) -> String {
    let name = format!(
        "seal-{}",
        &TokenKey::generate(TokenFormat::Hex).expose()[..12]
    );
    testkit::dynamo::secrets_client()
        .create_secret()
        .name(&name)
        .secret_string(text)
        .send()
        .await
        .unwrap();
    name
}

fn sealer_of(secret: &str) -> Sealer {
    Sealer::from_secret(testkit::dynamo::secrets_client(), secret.to_owned())
}

#[tokio::test]
async fn keys_sealed_before_a_rotation_open_after_it_and_are_sealed_again() {
    let name = secret("first version of the secret, long enough.").await;
    let before = sealer_of(&name);
    let key = TokenKey::generate(TokenFormat::Hex);
    let sealed = KeptKey::sealed(&key, before.seal("ann", &key).await.unwrap());
    assert_eq!(
        before.open("ann", &sealed).await.unwrap(),
        Opened::Current(key.clone())
    );

    testkit::dynamo::secrets_client()
        .put_secret_value()
        .secret_id(&name)
        .secret_string("second version of the secret, also long enough.")
        .send()
        .await
        .unwrap();
    let after = sealer_of(&name);
    assert_eq!(
        after.open("ann", &sealed).await.unwrap(),
        Opened::Stale(key.clone()),
        "the previous version still opens it"
    );
    let resealed = KeptKey::sealed(&key, after.seal("ann", &key).await.unwrap());
    assert_eq!(
        after.open("ann", &resealed).await.unwrap(),
        Opened::Current(key.clone())
    );
    assert_eq!(
        before.open("ann", &resealed).await.unwrap(),
        Opened::Current(key.clone()),
        "a process that read the secret before the rotation reads it again"
    );
    assert_eq!(
        before.open("ann", &sealed).await.unwrap(),
        Opened::Stale(key.clone()),
        "and opens what it sealed before it"
    );
    let unknown = KeptKey::sealed(&key, SealKey::random().seal("ann", &key).unwrap());
    assert_eq!(before.open("ann", &unknown).await.unwrap(), Opened::Lost);
}

#[tokio::test]
async fn a_missing_or_short_secret_is_an_error_that_shows_no_value() {
    let key = TokenKey::generate(TokenFormat::Hex);
    let missing = sealer_of("no-such-secret").seal("ann", &key).await;
    assert!(matches!(missing, Err(SealError::Failed(_))), "{missing:?}");

    let short = "only 20 characters!!";
    let name = secret(short).await;
    let error = sealer_of(&name).seal("ann", &key).await.unwrap_err();
    let text = authtoken::logging::chain(&error);
    assert!(text.contains("20 characters"), "{text}");
    assert!(!text.contains(short), "{text}");

    let error = Sealer::unconfigured().seal("ann", &key).await.unwrap_err();
    assert!(error.to_string().contains("TOKEN_SEAL_SECRET"), "{error}");
}
