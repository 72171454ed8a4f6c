//! A user's tokens as sessions: listed by the first characters of their digests (never a key),
//! and ended one at a time by such a prefix; for the operator's `authtoken token list` and
//! `token revoke --digest`, and for the user's own `/auth/tokens/`.

use crate::audit;
use crate::secrets::token::TokenDigest;
use crate::store::rounds::{self, Round};
use crate::store::{HeldKey, Revoked, Store, StoreError, User};

/// One token of a user, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The key's digest.
    pub digest: TokenDigest,
    /// The first characters of the key's digest, to tell the tokens apart (and to end one by).
    pub digest_prefix: String,
    /// When it was issued, in seconds since the epoch.
    pub created: u64,
    /// When it stops being valid, in seconds since the epoch; `None` = never.
    pub expires: Option<u64>,
    /// Whether it is the per-user token (its key kept on the user) or a per-login one.
    pub per_user: bool,
}

/// `user`'s tokens whose records exist, oldest first (expired ones included until they are
/// cleaned up).
pub async fn list(store: &impl Store, user: &User) -> Result<Vec<TokenInfo>, StoreError> {
    let per_user = user.per_user_token.as_ref().map(|token| token.key.digest());
    let records = store.token_records(&user.token_digests()).await?;
    let mut tokens: Vec<TokenInfo> = records
        .into_iter()
        .filter(|(_, record)| record.username == user.username)
        .map(|(digest, record)| TokenInfo {
            digest_prefix: digest.short().to_owned(),
            per_user: per_user.as_ref() == Some(&digest),
            digest,
            created: record.created,
            expires: record.expires,
        })
        .collect();
    tokens.sort_by(|a, b| (a.created, &a.digest_prefix).cmp(&(b.created, &b.digest_prefix)));
    Ok(tokens)
}

/// The one token of `user` whose digest starts with `prefix`; `None` if none or several do.
pub fn by_digest(user: &User, prefix: &str) -> Option<Revoked> {
    if prefix.is_empty() {
        return None;
    }
    let key = user
        .per_user_token
        .as_ref()
        .filter(|token| token.key.digest().as_str().starts_with(prefix));
    let mut issued = user
        .per_login_tokens
        .iter()
        .filter(|issued| issued.digest.as_str().starts_with(prefix));
    match (key, issued.next(), issued.next()) {
        (Some(token), None, _) => Some(Revoked {
            key: Some(HeldKey::kept(&token.key)),
            issued: Vec::new(),
        }),
        (None, Some(issued), None) => Some(Revoked {
            key: None,
            issued: vec![issued.digest.clone()],
        }),
        _ => None,
    }
}

/// What became of [`end`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The token is revoked.
    Ended,
    /// No user has that name, or no single token of theirs has a digest with that prefix.
    NotFound,
    /// Other writers kept changing the user; nothing was written.
    Contention,
}

/// Revokes the one token of `username` whose digest starts with `prefix`, at the user's request.
pub async fn end(store: &impl Store, username: &str, prefix: &str) -> Result<Ending, StoreError> {
    let outcome = rounds::settle((), |()| async move {
        let Some(user) = store.user(username).await? else {
            return Ok(Round::Done(Ending::NotFound));
        };
        let Some(revoked) = by_digest(&user, prefix) else {
            return Ok(Round::Done(Ending::NotFound));
        };
        if !store.revoke_tokens(username, &revoked).await? {
            return Ok(Round::Lost(()));
        }
        audit::session_revoked(username, prefix);
        Ok::<_, StoreError>(Round::Done(Ending::Ended))
    })
    .await?;
    Ok(outcome.unwrap_or(Ending::Contention))
}
