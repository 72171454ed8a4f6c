//! Token keys: generation from the OS CSPRNG, and the digest that keys the tokens table.
//!
//! A key is what the client holds (`Authorization: Token <key>`). By default it is 40 lower-case
//! hex characters, 160 bits, exactly DRF's `secrets.token_hex(20)`. With
//! [`TokenFormat::Prefixed`] it announces itself, as GitHub's tokens do: `atk_`, 30 random
//! base62 characters (178 bits) and a 6-character base62 CRC32 of them, 40 characters in all, so
//! that secret scanners can find a leaked key by its shape and a mistyped key is refused
//! without a store read (the checksum catches typos only: anyone can compute it, so a made-up
//! key with a valid one costs a read, as any unknown key does). Keys of both forms are accepted whatever the setting, so a
//! deployment can switch either way without logging anyone out.
//!
//! The tokens table never stores a key, only its SHA-256 digest, so a copy of that table does
//! not let anyone in.

use std::fmt;

use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// Number of random bytes in a key (DRF: `secrets.token_hex(20)`).
const KEY_BYTES: usize = 20;

/// Length of a key as issued, in either format: two hex characters per byte, or the prefix,
/// the random part and the checksum.
pub const KEY_LENGTH: usize = KEY_BYTES * 2;

/// What a prefixed key starts with.
pub const PREFIX: &str = "atk_";
/// Random base62 characters in a prefixed key: 30 x log2(62) = 178 bits.
const RANDOM_CHARS: usize = 30;
/// Base62 characters of a prefixed key's checksum: 62^6 > 2^32.
const CHECKSUM_CHARS: usize = 6;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The form of the keys a deployment issues (`TOKEN_FORMAT`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenFormat {
    /// 40 lower-case hex characters: DRF's keys.
    #[default]
    Hex,
    /// `atk_` + 30 random base62 characters + a base62 CRC32: keys that announce themselves.
    Prefixed,
}

/// A token key, as issued to a client or as presented by one. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenKey(String);

impl TokenKey {
    /// Draws a fresh key from the operating system's CSPRNG.
    ///
    /// # Panics
    /// If the operating system cannot provide randomness, which leaves nothing safe to do.
    #[allow(
        clippy::expect_used,
        reason = "documented panic: without the OS's randomness no key is safe to hand out"
    )]
    pub fn generate(format: TokenFormat) -> Self {
        match format {
            TokenFormat::Hex => {
                let mut bytes = [0u8; KEY_BYTES];
                OsRng
                    .try_fill_bytes(&mut bytes)
                    .expect("the OS random number generator failed");
                Self(to_hex(&bytes))
            }
            TokenFormat::Prefixed => {
                let random = random_base62(RANDOM_CHARS);
                let checksum = checksum_of(&random);
                Self(format!("{PREFIX}{random}{checksum}"))
            }
        }
    }

    /// Wraps a key read from the store or from a request header, without checking its form.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key's text, to send to its owner and to nobody else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True if this key has the form of an issued key: 40 lower-case hex characters, or a
    /// prefixed key whose checksum matches. A key of any other form cannot be in the store, so it
    /// can be refused without asking it.
    pub fn is_well_formed(&self) -> bool {
        if let Some(rest) = self.0.strip_prefix(PREFIX) {
            return rest.len() == RANDOM_CHARS + CHECKSUM_CHARS
                && rest.bytes().all(|b| b.is_ascii_alphanumeric())
                && rest.split_at(RANDOM_CHARS).1 == checksum_of(&rest[..RANDOM_CHARS]);
        }
        self.0.len() == KEY_LENGTH
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// The digest under which this key's record is stored.
    pub fn digest(&self) -> TokenDigest {
        TokenDigest(to_hex(&Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKey([redacted])")
    }
}

/// Hex SHA-256 of a key: the tokens table's partition key. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenDigest(String);

impl TokenDigest {
    /// A digest as the store lists it (hex text), read back from an item.
    pub fn from_stored(hex: impl Into<String>) -> Self {
        Self(hex.into())
    }

    /// The digest's hex text, for the store's key attribute.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first characters of the digest: enough for an operator to tell a user's tokens
    /// apart, far too few to find the digest, let alone the key.
    pub fn short(&self) -> &str {
        self.0.get(..8).unwrap_or(&self.0)
    }
}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenDigest([redacted])")
    }
}

/// `count` base62 characters drawn uniformly from the OS CSPRNG (bytes of 248 or more are
/// redrawn, so that each character is one of 62 with equal odds).
#[allow(
    clippy::expect_used,
    reason = "documented panic of TokenKey::generate: no randomness, no safe key"
)]
fn random_base62(count: usize) -> String {
    let mut text = String::with_capacity(count);
    let mut bytes = [0u8; 64];
    while text.len() < count {
        OsRng
            .try_fill_bytes(&mut bytes)
            .expect("the OS random number generator failed");
        for byte in bytes.iter().filter(|byte| **byte < 248) {
            if text.len() == count {
                break;
            }
            text.push(char::from(BASE62[usize::from(byte % 62)]));
        }
    }
    text
}

/// The CRC32 of a prefixed key's random part, as 6 base62 characters.
fn checksum_of(random: &str) -> String {
    let mut value = u64::from(crc32fast::hash(random.as_bytes()));
    let mut digits = [b'0'; CHECKSUM_CHARS];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[usize::try_from(value % 62).unwrap_or(0)];
        value /= 62;
    }
    String::from_utf8_lossy(&digits).into_owned()
}

/// `bytes` in lower-case hex, two characters a byte.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_40_lower_case_hex() {
        let key = TokenKey::generate(TokenFormat::Hex);
        assert_eq!(key.expose().len(), 40);
        assert!(key.is_well_formed(), "{}", key.expose());
    }

    #[test]
    fn generated_keys_differ() {
        for format in [TokenFormat::Hex, TokenFormat::Prefixed] {
            let keys: std::collections::HashSet<String> = (0..1000)
                .map(|_| TokenKey::generate(format).expose().to_owned())
                .collect();
            assert_eq!(keys.len(), 1000);
        }
    }

    #[test]
    fn prefixed_keys_are_atk_30_random_base62_and_a_checksum() {
        for _ in 0..200 {
            let key = TokenKey::generate(TokenFormat::Prefixed);
            let text = key.expose();
            assert_eq!(text.len(), KEY_LENGTH, "{text}");
            assert!(text.starts_with("atk_"), "{text}");
            assert!(
                text[4..].bytes().all(|b| b.is_ascii_alphanumeric()),
                "{text}"
            );
            assert!(key.is_well_formed(), "{text}");
        }
    }

    #[test]
    fn the_checksum_is_crc32_in_base62() {
        // CRC32("123456789") = 0xCBF43926, the standard check value; in base62, "3jZRME".
        assert_eq!(checksum_of("123456789"), "3jZRME");
        assert_eq!(checksum_of(""), "000000");
    }

    #[test]
    fn a_mistyped_or_forged_prefixed_key_is_malformed() {
        let key = TokenKey::generate(TokenFormat::Prefixed);
        let text = key.expose().to_owned();
        // Every single-character change of the random part or the checksum is caught.
        for position in 4..text.len() {
            let mut bytes = text.clone().into_bytes();
            bytes[position] = if bytes[position] == b'a' { b'b' } else { b'a' };
            let changed = String::from_utf8(bytes).unwrap();
            assert!(
                !TokenKey::new(changed.as_str()).is_well_formed(),
                "{changed}"
            );
        }
        let forged = format!("atk_{}", "A".repeat(36));
        assert!(!TokenKey::new(forged).is_well_formed());
        assert!(!TokenKey::new(format!("{}x", text)).is_well_formed());
        assert!(!TokenKey::new(text.replace("atk_", "ATK_")).is_well_formed());
        assert!(!TokenKey::new("atk_").is_well_formed());
    }

    #[test]
    fn digest_is_hex_sha256_of_the_key_text() {
        // sha256("abc"), from FIPS 180-2.
        assert_eq!(
            TokenKey::new("abc").digest().as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn well_formed_means_exactly_40_lower_case_hex() {
        assert!(TokenKey::new("0123456789abcdef0123456789abcdef01234567").is_well_formed());
        assert!(!TokenKey::new("0123456789ABCDEF0123456789abcdef01234567").is_well_formed());
        assert!(!TokenKey::new("0123456789abcdef0123456789abcdef0123456").is_well_formed());
        assert!(!TokenKey::new("0123456789abcdef0123456789abcdef012345678").is_well_formed());
        assert!(!TokenKey::new("g123456789abcdef0123456789abcdef01234567").is_well_formed());
        assert!(!TokenKey::new("").is_well_formed());
    }

    #[test]
    fn debug_output_hides_keys_and_digests() {
        let key = TokenKey::generate(TokenFormat::Prefixed);
        let printed = format!("{key:?} {:?}", key.digest());
        assert!(!printed.contains(key.expose()));
        assert!(!printed.contains(key.digest().as_str()));
    }
}
