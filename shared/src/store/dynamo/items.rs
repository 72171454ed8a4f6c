//! The item layout of the three tables, in one place: attribute names and the conversions
//! between items and the store's types.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::lockout::Failures;
use crate::secrets::seal::{KeptKey, SealedKey};
use crate::secrets::token::{TokenDigest, TokenKey};
use crate::store::{NewToken, PerLoginToken, PerUserToken, TokenRecord, User};

/// An item as the SDK carries it.
pub type Item = HashMap<String, AttributeValue>;

/// Users table: partition key.
pub const USERNAME: &str = "username";
/// Users table: argon2id PHC string.
pub const PASSWORD: &str = "password";
/// Users table: whether the user may log in.
pub const ACTIVE: &str = "active";
/// Users table: the per-user key's digest, when [`TOKEN_SEALED`] keeps the key sealed; the key
/// itself as versions before sealing kept it (absent when the user has no token).
pub const TOKEN: &str = "token";
/// Users table: the per-user key sealed ([`crate::secrets::seal`]), binary.
pub const TOKEN_SEALED: &str = "token_sealed";
/// Users table: when the current key expires (absent when it never does).
pub const TOKEN_EXPIRES: &str = "token_expires";
/// Users table: the per-login tokens, a map from each token's digest to its expiry (a number,
/// or NULL for never). Absent until the first per-login token.
pub const TOKENS: &str = "tokens";
/// Both tables: creation time, epoch seconds.
pub const CREATED: &str = "created";
/// Users: the version of the credentials ([`User::credentials`]); absent = 0.
pub const CREDENTIALS: &str = "credentials";
/// Users: the user's id ([`User::id`]); absent for a user created before ids.
pub const ID: &str = "id";
/// Users: the email address; absent = `""`.
pub const EMAIL: &str = "email";
/// Users: the email address folded to lower case, the key of [`BY_EMAIL`] (absent with no
/// address, so that the index holds only users who have one).
pub const EMAIL_KEY: &str = "email_key";
/// Users table: its one global secondary index, keys only, on [`EMAIL_KEY`]: the users who have
/// an address, whatever its case.
pub const BY_EMAIL: &str = "ByEmail";
/// Users: `true` while the user awaits activation ([`User::awaiting_activation`]); absent
/// otherwise.
pub const AWAITING_ACTIVATION: &str = "awaiting_activation";
/// Users: the newest emailed link's random number ([`User::link_nonce`]).
pub const LINK_NONCE: &str = "link_nonce";
/// Users table: the prefix of the key of an id's pointer item, `\u{1}id ` and the id, whose
/// [`POINTS_TO`] names the user of that id (written before a link carrying the id is sent).
pub const ID_POINTER_PREFIX: &str = "\u{1}id ";
/// Users table, on an id's pointer item: the name of the user with that id.
pub const POINTS_TO: &str = "points_to";
/// Users table: the key of the item that counts user ids, which no user's name can be (a name
/// holds no control character).
pub const USER_IDS_KEY: &str = "\u{1}user ids";
/// Users table, on [`USER_IDS_KEY`]'s item: the last id handed out or reserved.
pub const LAST_ID: &str = "last_id";
/// Tokens table: partition key, hex SHA-256 of the key.
pub const DIGEST: &str = "digest";
/// Tokens table: owner of the token (the same attribute name as the users table's key).
pub const OWNER: &str = USERNAME;
/// Tokens and lockouts tables: expiry, epoch seconds; the tables' TTL attribute.
pub const EXPIRES: &str = "expires";
/// Lockouts table: consecutive failed logins of the username (the table's key, `username`).
pub const FAILURES: &str = "failures";
/// Lockouts table: when the last of them failed, epoch seconds.
pub const LAST_FAILURE: &str = "last_failure";
/// Lockouts: the sources (client addresses) the failures came from (SS).
pub const SOURCES: &str = "sources";

/// An item that does not have the layout this module writes.
#[derive(Debug, thiserror::Error)]
#[error("item attribute {attribute:?} is missing or not of type {expected}")]
pub struct ItemError {
    attribute: &'static str,
    expected: &'static str,
}

/// A string attribute.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute.
pub fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The item of a new user, with the tokens they hold (none, unless imported).
pub fn user_item(user: &User) -> Item {
    let mut item = HashMap::from([
        (USERNAME.to_owned(), s(&user.username)),
        (PASSWORD.to_owned(), s(&user.password_hash)),
        (ACTIVE.to_owned(), AttributeValue::Bool(user.active)),
        (CREATED.to_owned(), n(user.created)),
    ]);
    if user.credentials > 0 {
        item.insert(CREDENTIALS.to_owned(), n(user.credentials));
    }
    if let Some(id) = user.id {
        item.insert(ID.to_owned(), n(id));
    }
    if !user.email.is_empty() {
        item.insert(EMAIL.to_owned(), s(&user.email));
        item.insert(EMAIL_KEY.to_owned(), s(crate::email::folded(&user.email)));
    }
    if let Some(nonce) = user.link_nonce {
        item.insert(LINK_NONCE.to_owned(), n(nonce));
    }
    if user.awaiting_activation {
        item.insert(AWAITING_ACTIVATION.to_owned(), AttributeValue::Bool(true));
    }
    if let Some(token) = &user.per_user_token {
        item.insert(TOKEN.to_owned(), s(token.key.stored()));
        if let KeptKey::Sealed { sealed, .. } = &token.key {
            item.insert(TOKEN_SEALED.to_owned(), sealed_value(sealed));
        }
        if let Some(expires) = token.expires {
            item.insert(TOKEN_EXPIRES.to_owned(), n(expires));
        }
    }
    if !user.per_login_tokens.is_empty() {
        let entries = user
            .per_login_tokens
            .iter()
            .map(|issued| {
                (
                    issued.digest.as_str().to_owned(),
                    issued_value(issued.expires),
                )
            })
            .collect();
        item.insert(TOKENS.to_owned(), AttributeValue::M(entries));
    }
    item
}

/// The value of [`TOKEN_SEALED`].
pub fn sealed_value(sealed: &SealedKey) -> AttributeValue {
    AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(sealed.as_bytes()))
}

/// The value of a per-login token's entry in the user's [`TOKENS`] map: its expiry.
pub fn issued_value(expires: Option<u64>) -> AttributeValue {
    expires.map_or(AttributeValue::Null(true), n)
}

/// The tokens-table item of `username`'s new token.
pub fn token_item(username: &str, token: &NewToken) -> Item {
    let mut item = HashMap::from([
        (DIGEST.to_owned(), s(token.key.digest().as_str())),
        (OWNER.to_owned(), s(username)),
        (CREATED.to_owned(), n(token.created)),
    ]);
    if let Some(expires) = token.expires {
        item.insert(EXPIRES.to_owned(), n(expires));
    }
    item
}

/// Reads a users-table item.
pub fn user_from_item(item: &Item) -> Result<User, ItemError> {
    let kept = match (optional_string(item, TOKEN)?, item.get(TOKEN_SEALED)) {
        (None, _) => None,
        (Some(digest), Some(AttributeValue::B(sealed))) => Some(KeptKey::Sealed {
            digest: TokenDigest::from_stored(digest),
            sealed: SealedKey::from_stored(sealed.clone().into_inner()),
        }),
        (Some(key), None) => Some(KeptKey::Plain(TokenKey::new(key))),
        (Some(_), Some(_)) => return Err(missing(TOKEN_SEALED, "B")),
    };
    let per_user_token = match kept {
        Some(key) => Some(PerUserToken {
            key,
            expires: optional_number(item, TOKEN_EXPIRES)?,
        }),
        None => None,
    };
    Ok(User {
        username: string(item, USERNAME)?,
        password_hash: string(item, PASSWORD)?,
        active: match item.get(ACTIVE) {
            Some(AttributeValue::Bool(active)) => *active,
            _ => return Err(missing(ACTIVE, "BOOL")),
        },
        per_user_token,
        per_login_tokens: issued_from_item(item)?,
        created: optional_number(item, CREATED)?.unwrap_or(0),
        credentials: optional_number(item, CREDENTIALS)?.unwrap_or(0),
        id: optional_number(item, ID)?,
        email: optional_string(item, EMAIL)?.unwrap_or_default(),
        link_nonce: optional_number(item, LINK_NONCE)?,
        awaiting_activation: matches!(
            item.get(AWAITING_ACTIVATION),
            Some(AttributeValue::Bool(true))
        ),
    })
}

/// The per-login tokens listed on a users-table item, in digest order.
fn issued_from_item(item: &Item) -> Result<Vec<PerLoginToken>, ItemError> {
    let entries = match item.get(TOKENS) {
        None => return Ok(Vec::new()),
        Some(AttributeValue::M(entries)) => entries,
        Some(_) => return Err(missing(TOKENS, "M")),
    };
    let mut issued = entries
        .iter()
        .map(|(digest, expires)| {
            let expires = match expires {
                AttributeValue::Null(_) => None,
                AttributeValue::N(text) => Some(text.parse().map_err(|_| missing(TOKENS, "M"))?),
                _ => return Err(missing(TOKENS, "M")),
            };
            Ok(PerLoginToken {
                digest: TokenDigest::from_stored(digest.clone()),
                expires,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    issued.sort_by(|a, b| a.digest.as_str().cmp(b.digest.as_str()));
    Ok(issued)
}

/// The key of the pointer item of the user with `id` ([`ID_POINTER_PREFIX`]).
pub fn id_pointer_key(id: u64) -> String {
    format!("{ID_POINTER_PREFIX}{id}")
}

/// Reads an id's pointer item: the name of the user it points to.
pub fn pointer_from_item(item: &Item) -> Result<String, ItemError> {
    string(item, POINTS_TO)
}

/// Reads a tokens-table item.
pub fn token_from_item(item: &Item) -> Result<TokenRecord, ItemError> {
    Ok(TokenRecord {
        username: string(item, OWNER)?,
        created: optional_number(item, CREATED)?.unwrap_or(0),
        expires: optional_number(item, EXPIRES)?,
    })
}

/// The digest a tokens-table item is keyed by.
pub fn digest_from_item(item: &Item) -> Result<TokenDigest, ItemError> {
    Ok(TokenDigest::from_stored(string(item, DIGEST)?))
}

/// Reads a lockouts-table item.
pub fn failures_from_item(item: &Item) -> Result<Failures, ItemError> {
    let count = optional_number(item, FAILURES)?.unwrap_or(0);
    let sources = match item.get(SOURCES) {
        None => Vec::new(),
        Some(AttributeValue::Ss(sources)) => sources.clone(),
        Some(_) => return Err(missing(SOURCES, "SS")),
    };
    Ok(Failures {
        count: u32::try_from(count).unwrap_or(u32::MAX),
        last: optional_number(item, LAST_FAILURE)?.unwrap_or(0),
        sources,
    })
}

fn string(item: &Item, attribute: &'static str) -> Result<String, ItemError> {
    optional_string(item, attribute)?.ok_or(missing(attribute, "S"))
}

fn optional_string(item: &Item, attribute: &'static str) -> Result<Option<String>, ItemError> {
    match item.get(attribute) {
        None => Ok(None),
        Some(AttributeValue::S(text)) => Ok(Some(text.clone())),
        Some(_) => Err(missing(attribute, "S")),
    }
}

fn optional_number(item: &Item, attribute: &'static str) -> Result<Option<u64>, ItemError> {
    match item.get(attribute) {
        None => Ok(None),
        Some(AttributeValue::N(text)) => {
            text.parse().map(Some).map_err(|_| missing(attribute, "N"))
        }
        Some(_) => Err(missing(attribute, "N")),
    }
}

fn missing(attribute: &'static str, expected: &'static str) -> ItemError {
    ItemError {
        attribute,
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_survives_the_round_trip_through_an_item() {
        let user = User {
            username: "admin".into(),
            password_hash: "$argon2id$...".into(),
            active: false,
            per_user_token: None,
            per_login_tokens: Vec::new(),
            created: 1_700_000_000,
            credentials: 3,
            id: Some(42),
            email: "admin@example.com".into(),
            link_nonce: None,
            awaiting_activation: false,
        };
        assert_eq!(user_from_item(&user_item(&user)).unwrap(), user);
        let before_ids = User {
            id: None,
            email: String::new(),
            ..user
        };
        let item = user_item(&before_ids);
        assert!(!item.contains_key(ID) && !item.contains_key(EMAIL));
        assert_eq!(user_from_item(&item).unwrap(), before_ids);
    }

    /// An active user holding no token.
    fn tokenless_admin() -> User {
        User {
            username: "admin".into(),
            password_hash: "h".into(),
            active: true,
            per_user_token: None,
            per_login_tokens: Vec::new(),
            created: 1,
            credentials: 0,
            id: Some(1),
            email: String::new(),
            link_nonce: None,
            awaiting_activation: false,
        }
    }

    #[test]
    fn per_login_tokens_are_read_in_digest_order_with_their_expiries() {
        let mut item = user_item(&tokenless_admin());
        item.insert(
            TOKENS.into(),
            AttributeValue::M(HashMap::from([
                ("bb".to_owned(), issued_value(None)),
                ("aa".to_owned(), issued_value(Some(7))),
            ])),
        );
        let issued = user_from_item(&item).unwrap().per_login_tokens;
        let read: Vec<_> = issued
            .iter()
            .map(|issued| (issued.digest.as_str(), issued.expires))
            .collect();
        assert_eq!(read, [("aa", Some(7)), ("bb", None)]);
        item.insert(TOKENS.into(), s("not a map"));
        assert!(user_from_item(&item).is_err());
    }

    #[test]
    fn a_token_on_the_user_item_is_read_with_its_expiry() {
        let mut item = user_item(&tokenless_admin());
        item.insert(TOKEN.into(), s("k"));
        item.insert(TOKEN_EXPIRES.into(), n(99));
        let token = user_from_item(&item).unwrap().per_user_token.unwrap();
        assert_eq!(token.key, KeptKey::Plain(TokenKey::new("k")));
        assert_eq!(token.expires, Some(99));
    }

    #[test]
    fn a_sealed_key_is_kept_as_its_digest_and_sealed_bytes_only() {
        let key = TokenKey::new("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b");
        let sealed = crate::secrets::seal::SealKey::random()
            .seal("admin", &key)
            .unwrap();
        let user = User {
            username: "admin".into(),
            password_hash: "h".into(),
            active: true,
            per_user_token: Some(PerUserToken {
                key: KeptKey::sealed(&key, sealed),
                expires: None,
            }),
            per_login_tokens: Vec::new(),
            created: 1,
            credentials: 0,
            id: Some(1),
            email: String::new(),
            link_nonce: None,
            awaiting_activation: false,
        };
        let item = user_item(&user);
        assert_eq!(item[TOKEN], s(key.digest().as_str()));
        let text = format!("{item:?}");
        assert!(!text.contains(key.expose()), "{text}");
        assert_eq!(user_from_item(&item).unwrap(), user);
    }

    #[test]
    fn a_token_item_is_read_back_as_its_record() {
        let key = TokenKey::new("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b");
        for expires in [None, Some(1_700_086_400)] {
            let token = NewToken {
                key: key.clone(),
                created: 1_700_000_000,
                expires,
            };
            let item = token_item("admin", &token);
            assert_eq!(item[DIGEST], s(key.digest().as_str()));
            assert!(
                !item.values().any(|value| value == &s(key.expose())),
                "no key in the item"
            );
            let record = token_from_item(&item).unwrap();
            assert_eq!(
                (record.username.as_str(), record.created, record.expires),
                ("admin", 1_700_000_000, expires)
            );
        }
    }

    #[test]
    fn a_malformed_item_names_the_attribute() {
        let item = HashMap::from([(OWNER.to_owned(), AttributeValue::Bool(true))]);
        let error = token_from_item(&item).unwrap_err();
        assert_eq!(
            error.to_string(),
            "item attribute \"username\" is missing or not of type S"
        );
    }
}
