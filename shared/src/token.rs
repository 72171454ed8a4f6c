//! Token keys: generation from the OS CSPRNG, and the digest that keys the tokens table.
//!
//! A key is what the client holds (`Authorization: Token <key>`): 40 lower-case hex characters,
//! 160 bits, exactly DRF's `secrets.token_hex(20)`. The tokens table never stores a key, only its
//! SHA-256 digest, so a copy of that table does not let anyone in.

use std::fmt;

use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// Number of random bytes in a key (DRF: `secrets.token_hex(20)`).
const KEY_BYTES: usize = 20;

/// Length of a key as issued: two hex characters per byte.
pub const KEY_LENGTH: usize = KEY_BYTES * 2;

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
    pub fn generate() -> Self {
        let mut bytes = [0u8; KEY_BYTES];
        OsRng
            .try_fill_bytes(&mut bytes)
            .expect("the OS random number generator failed");
        Self(to_hex(&bytes))
    }

    /// Wraps a key read from the store or from a request header, without checking its form.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key's text, to send to its owner and to nobody else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True if this key has the form of an issued key (40 lower-case hex characters). A key of any
    /// other form cannot be in the store, so it can be refused without asking it.
    pub fn is_well_formed(&self) -> bool {
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
    /// The digest's hex text, for the store's key attribute.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenDigest([redacted])")
    }
}

fn to_hex(bytes: &[u8]) -> String {
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
        let key = TokenKey::generate();
        assert_eq!(key.expose().len(), 40);
        assert!(key.is_well_formed(), "{}", key.expose());
    }

    #[test]
    fn generated_keys_differ() {
        let keys: std::collections::HashSet<String> = (0..1000)
            .map(|_| TokenKey::generate().expose().to_owned())
            .collect();
        assert_eq!(keys.len(), 1000);
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
        let key = TokenKey::generate();
        let printed = format!("{key:?} {:?}", key.digest());
        assert!(!printed.contains(key.expose()));
        assert!(!printed.contains(key.digest().as_str()));
    }
}
