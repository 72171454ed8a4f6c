//! `Store::import_users` on the memory store and on DynamoDB (moto): each user goes in with
//! their token or not at all; a taken name or key is reported for that user alone, and more
//! users than one transaction holds go in all the same.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::secrets::seal::KeptKey;
use authtoken::secrets::token::{TokenFormat, TokenKey};
use authtoken::store::memory::MemoryStore;
use authtoken::store::{ImportOutcome, Imported, NewToken, PerUserToken, Store, User};

fn imported(name: &str, key: Option<&TokenKey>) -> Imported {
    let token = key.map(|key| NewToken {
        key: key.clone(),
        created: 1_700_000_000,
        expires: None,
    });
    Imported {
        user: User {
            username: name.to_owned(),
            password_hash: "pbkdf2_sha256$1000$salt$aGFzaA==".to_owned(),
            active: true,
            per_user_token: token.as_ref().map(|token| PerUserToken {
                key: KeptKey::Plain(token.key.clone()),
                expires: None,
            }),
            per_login_tokens: Vec::new(),
            created: 1_600_000_000,
            credentials: 0,
            id: None,
            email: String::new(),
            link_nonce: None,
            awaiting_activation: false,
        },
        token,
    }
}

async fn each_user_goes_in_whole_or_not_at_all(store: impl Store) {
    let taken = TokenKey::generate(TokenFormat::Hex);
    let first = store
        .import_users(&[imported("ann", Some(&taken)), imported("bob", None)])
        .await
        .unwrap();
    assert_eq!(first, [ImportOutcome::Created, ImportOutcome::Created]);

    let fresh = TokenKey::generate(TokenFormat::Hex);
    let outcomes = store
        .import_users(&[
            imported("cy", Some(&fresh)),
            imported("dee", Some(&taken)),
            imported("ann", None),
        ])
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        [
            ImportOutcome::Created,
            ImportOutcome::KeyInUse,
            ImportOutcome::UserExists
        ]
    );
    assert!(
        store.user("dee").await.unwrap().is_none(),
        "no user without their token"
    );
    let ann = store.user("ann").await.unwrap().unwrap();
    assert_eq!(
        ann.per_user_token.unwrap().key.digest(),
        taken.digest(),
        "the existing user untouched"
    );
    let record = store.token(&taken.digest()).await.unwrap().unwrap();
    assert_eq!(record.username, "ann", "the taken key still ann's");
    let cy = store.token(&fresh.digest()).await.unwrap().unwrap();
    assert_eq!((cy.username.as_str(), cy.created), ("cy", 1_700_000_000));
}

#[tokio::test]
async fn memory() {
    each_user_goes_in_whole_or_not_at_all(MemoryStore::new()).await;
}

#[tokio::test]
async fn dynamo() {
    each_user_goes_in_whole_or_not_at_all(testkit::dynamo::fresh_store().await).await;
}

#[tokio::test]
async fn more_users_than_one_transaction_holds_with_some_taken() {
    let store = testkit::dynamo::fresh_store().await;
    let users: Vec<Imported> = (0..120)
        .map(|index| {
            imported(
                &format!("user{index}"),
                Some(&TokenKey::generate(TokenFormat::Hex)),
            )
        })
        .collect();
    store.import_users(&users[50..53]).await.unwrap();
    let outcomes = store.import_users(&users).await.unwrap();
    for (index, outcome) in outcomes.iter().enumerate() {
        let expected = if (50..53).contains(&index) {
            ImportOutcome::UserExists
        } else {
            ImportOutcome::Created
        };
        assert_eq!(*outcome, expected, "user{index}");
    }
    for user in &users {
        let token = user.token.as_ref().unwrap();
        let record = store.token(&token.key.digest()).await.unwrap().unwrap();
        assert_eq!(record.username, user.user.username);
    }
}
