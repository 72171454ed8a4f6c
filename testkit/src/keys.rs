//! Giving a user a per-user token directly, as a login would, for tests that need one in a
//! particular state (expired, without expiry, of a given key, kept in a given form).

use authtoken::secrets::seal::KeptKey;
use authtoken::store::{Imported, NewToken, PerUserToken, Store, User};

/// Seals `token`'s key with `store`'s sealer and installs it as `username`'s per-user token,
/// provided they hold none; `false` if they do (or are inactive, or gone).
pub async fn install(store: &impl Store, username: &str, token: &NewToken) -> bool {
    // Whatever password changes the user has seen.
    let credentials = store
        .user(username)
        .await
        .expect("read the user")
        .map_or(0, |user| user.credentials);
    let sealed = store
        .sealer()
        .seal(username, &token.key)
        .await
        .expect("seal the key");
    store
        .install_token(authtoken::store::Installation {
            username,
            token,
            sealed: &sealed,
            replacing: None,
            credentials,
        })
        .await
        .expect("install the token")
}

/// Adds the active user `username` with `password_hash`, holding `key` as their per-user token
/// (never expiring), kept on the user as `kept` (in plain text as an earlier version kept it,
/// or sealed under any key): the states a login or `token seal-keys` must deal with.
pub async fn user_keeping(
    store: &impl Store,
    username: &str,
    password_hash: &str,
    key: &authtoken::secrets::token::TokenKey,
    kept: KeptKey,
) {
    let user = User {
        username: username.to_owned(),
        password_hash: password_hash.to_owned(),
        active: true,
        per_user_token: Some(PerUserToken {
            key: kept,
            expires: None,
        }),
        per_login_tokens: Vec::new(),
        created: 1,
        credentials: 0,
        id: None,
        email: String::new(),
        link_nonce: None,
        awaiting_activation: false,
    };
    let token = NewToken {
        key: key.clone(),
        created: 1,
        expires: None,
    };
    let outcomes = store
        .import_users(&[Imported {
            user,
            token: Some(token),
        }])
        .await
        .expect("import the user");
    assert_eq!(outcomes, [authtoken::store::ImportOutcome::Created]);
}
