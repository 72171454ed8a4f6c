//! The links emailed to users, as djoser builds them: `uid`, the URL-safe base64 of the user's
//! id (as Django encodes a primary key), and `token`, a signature that works like Django's
//! `PasswordResetTokenGenerator`: stateless, `<timestamp in base 36>-<32 hex digits>`, the
//! timestamp in seconds since 2001-01-01.
//!
//! The signature is an HMAC-SHA256 under a key derived from the seal secret
//! ([`crate::secrets::seal`]), of the link's purpose, the timestamp and what the link must die
//! with: the user's id, name, password hash, email address and newest link
//! ([`User::link_nonce`], a new random number per link). So a link is single-use (using it sets a new password), dies when the
//! password changes, when the user logs in (a login forgets the link), when a newer link is
//! made, and after its lifetime. Its check is constant-time, and accepts the previous secret
//! during a rotation.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use base64ct::{Base64UrlUnpadded, Encoding};

use crate::secrets::seal::{SealError, Sealer};
use crate::secrets::token::to_hex;
use crate::store::User;

/// Django's epoch for these timestamps: 2001-01-01T00:00:00Z, in seconds since 1970.
const DJANGO_EPOCH: u64 = 978_307_200;
/// Hex digits of the signature in a token (the first 16 bytes of the HMAC).
const SIGNATURE_HEX: usize = 32;

/// A new link's random number ([`User::link_nonce`]): whatever the links made before it, in
/// the same second or not, it differs from theirs.
///
/// # Panics
/// If the operating system cannot provide randomness, as [`crate::secrets::token::TokenKey::generate`].
#[allow(
    clippy::expect_used,
    reason = "documented panic: without the OS's randomness no link is safe to make"
)]
pub fn nonce() -> u64 {
    use rand::TryRngCore;
    rand::rngs::OsRng
        .try_next_u64()
        .expect("the OS random number generator failed")
}

/// What a link is for: a token of one purpose is no token of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `#/password/reset/confirm/{uid}/{token}`.
    PasswordReset,
    /// `#/activate/{uid}/{token}`.
    Activation,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Self::PasswordReset => "password reset",
            Self::Activation => "activation",
        }
    }
}

/// The `uid` of the user with `id`: the URL-safe base64 of its decimal digits, unpadded
/// (Django's `urlsafe_base64_encode(force_bytes(pk))`): 1 is `MQ`, 10 is `MTA`.
pub fn uid(id: u64) -> String {
    Base64UrlUnpadded::encode_string(id.to_string().as_bytes())
}

/// The id a `uid` names, if it is one: URL-safe base64 (padded or not) of decimal digits.
pub fn id_of(uid: &str) -> Option<u64> {
    let unpadded = uid.trim_end_matches('=');
    let bytes = Base64UrlUnpadded::decode_vec(unpadded).ok()?;
    let digits = std::str::from_utf8(&bytes).ok()?;
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A token for `user` (who must have an id) and `purpose`, made at `now` (seconds since the
/// epoch).
pub async fn token(
    sealer: &Sealer,
    purpose: Purpose,
    user: &User,
    now: u64,
) -> Result<String, SealError> {
    let timestamp = now.saturating_sub(DJANGO_EPOCH);
    let signature = sealer.sign_link(&message(purpose, user, timestamp)).await?;
    Ok(format!(
        "{}-{}",
        base36(timestamp),
        to_hex(&signature)[..SIGNATURE_HEX].to_owned()
    ))
}

/// Whether `token` is a live token of `purpose` for `user` at `now`: signed for them as they are
/// now, and at most `lifetime` seconds old.
pub async fn is_valid(
    sealer: &Sealer,
    purpose: Purpose,
    user: &User,
    token: &str,
    (now, lifetime): (u64, u64),
) -> Result<bool, SealError> {
    let Some((stamp, signature)) = token.split_once('-') else {
        return Ok(false);
    };
    let Some(timestamp) = from_base36(stamp) else {
        return Ok(false);
    };
    let age = now.saturating_sub(DJANGO_EPOCH).checked_sub(timestamp);
    if age.is_none_or(|age| age > lifetime) || signature.len() != SIGNATURE_HEX {
        return Ok(false);
    }
    let expected = sealer
        .link_signatures(&message(purpose, user, timestamp))
        .await?;
    Ok(expected.iter().any(|expected| {
        verify_slices_are_equal(
            &to_hex(expected).as_bytes()[..SIGNATURE_HEX],
            signature.as_bytes(),
        )
        .is_ok()
    }))
}

/// What a token signs: its purpose and timestamp, and what it must die with.
fn message(purpose: Purpose, user: &User, timestamp: u64) -> Vec<u8> {
    let fields = [
        "authtoken link v1",
        purpose.label(),
        &timestamp.to_string(),
        &user.id.map_or_else(String::new, |id| id.to_string()),
        &user.username,
        &user.password_hash,
        &user.email,
        &user
            .link_nonce
            .map_or_else(String::new, |at| at.to_string()),
    ];
    // NUL cannot occur in any field (names, hashes and addresses refuse it): an unambiguous
    // separator.
    fields.join("\0").into_bytes()
}

/// `number` in base 36, lower case (Django's `int_to_base36`).
fn base36(mut number: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    loop {
        digits.push(DIGITS[(number % 36) as usize]);
        number /= 36;
        if number == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Django's `base36_to_int`: at most 13 digits, either case.
fn from_base36(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 13 {
        return None;
    }
    u64::from_str_radix(text, 36).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::seal::SealKey;

    fn user() -> User {
        User {
            username: "resetme".into(),
            password_hash: "argon2id$old".into(),
            active: true,
            per_user_token: None,
            per_login_tokens: Vec::new(),
            created: 0,
            credentials: 0,
            id: Some(10),
            email: "reset.me@example.com".into(),
            link_nonce: Some(1_800_000_000),
            awaiting_activation: false,
        }
    }

    #[test]
    fn uids_are_djangos() {
        // Django: urlsafe_base64_encode(b"10") == "MTA", b"1" -> "MQ".
        assert_eq!(uid(10), "MTA");
        assert_eq!(uid(1), "MQ");
        assert_eq!(id_of("MTA"), Some(10));
        assert_eq!(id_of("MQ=="), Some(1));
        for bad in ["", "!!", "zz", "LTE", "YWJj", "MTA!"] {
            assert_eq!(id_of(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn base36_is_djangos() {
        // The timestamp of a token djoser 2.3.5 made (`dj7pbc-...`).
        assert_eq!(base36(818_332_392), "dj7pbc");
        assert_eq!(from_base36("dj7pbc"), Some(818_332_392));
        assert_eq!(from_base36("DJ7PBC"), Some(818_332_392));
        assert_eq!(base36(0), "0");
        assert_eq!(from_base36("12345678901234"), None);
        assert_eq!(from_base36(""), None);
    }

    #[tokio::test]
    async fn a_token_lives_for_its_lifetime_and_dies_with_what_it_signs() {
        let sealer = Sealer::with_key(SealKey::random());
        let now = 1_800_000_100;
        let user = user();
        let token = token(&sealer, Purpose::PasswordReset, &user, now)
            .await
            .unwrap();
        let (stamp, signature) = token.split_once('-').unwrap();
        assert_eq!(from_base36(stamp), Some(now - DJANGO_EPOCH));
        assert_eq!(signature.len(), SIGNATURE_HEX);
        let valid = async |user: &User, token: &str, at: u64| {
            is_valid(&sealer, Purpose::PasswordReset, user, token, (at, 3600))
                .await
                .unwrap()
        };
        assert!(valid(&user, &token, now).await);
        assert!(valid(&user, &token, now + 3600).await);
        assert!(!valid(&user, &token, now + 3601).await, "expired");
        assert!(!valid(&user, &token, now - 10).await, "from the future");
        for changed in [
            User {
                password_hash: "argon2id$new".into(),
                ..user.clone()
            },
            User {
                link_nonce: None,
                ..user.clone()
            },
            User {
                link_nonce: Some(1_800_000_050),
                ..user.clone()
            },
            User {
                email: "other@example.com".into(),
                ..user.clone()
            },
            User {
                username: "renamed".into(),
                ..user.clone()
            },
            User {
                id: Some(11),
                ..user.clone()
            },
        ] {
            assert!(!valid(&changed, &token, now).await, "{changed:?}");
        }
        let mut altered = token.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
        assert!(!valid(&user, &String::from_utf8(altered).unwrap(), now).await);
        for malformed in [
            "",
            "-",
            "abc",
            "zzzzzzzzzzzzzz-00",
            &token[..token.len() - 1],
        ] {
            assert!(!valid(&user, malformed, now).await, "{malformed:?}");
        }
        let other = Sealer::with_key(SealKey::random());
        let foreign = super::token(&other, Purpose::PasswordReset, &user, now)
            .await
            .unwrap();
        assert!(!valid(&user, &foreign, now).await, "another secret's");
        let activation = super::token(&sealer, Purpose::Activation, &user, now)
            .await
            .unwrap();
        assert!(!valid(&user, &activation, now).await, "another purpose's");
    }
}
