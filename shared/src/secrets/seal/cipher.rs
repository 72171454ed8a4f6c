//! The cipher of sealed keys: AES-256-GCM (AWS-LC) under a key derived from the seal secret
//! with HKDF-SHA256, a random 96-bit nonce per seal, and the owner's username as associated
//! data, so that a sealed key copied onto another user does not open.
//!
//! A sealed key is `[FORMAT] [key id: 8] [nonce: 12] [ciphertext] [tag: 16]`. The key id, also
//! derived from the secret, says which secret (current or previous, across a rotation) sealed
//! it without revealing anything about the secret.
//!
//! The same secret also signs the links emailed to users (a password reset's), with HMAC-SHA256
//! under a second key derived from it apart ([`SealKey::sign_link`]).

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use aws_lc_rs::error::Unspecified;
use aws_lc_rs::hkdf::{HKDF_SHA256, KeyType, Salt};
use aws_lc_rs::hmac;
use rand::TryRngCore;
use rand::rngs::OsRng;

use super::SealedKey;
use crate::secrets::token::TokenKey;

/// The first byte of every sealed key: its layout's version.
const FORMAT: u8 = 1;
/// Bytes of a key id.
pub(super) const ID_LEN: usize = 8;
/// Bytes of the AES-256 key.
const KEY_LEN: usize = 32;
/// Bytes of the GCM tag.
const TAG_LEN: usize = 16;
/// The HKDF salt: the derivation's purpose, so that the secret could serve another one apart.
const SALT: &[u8] = b"authtoken token seal v1";
/// The shortest secret accepted: 32 characters of a generated secret carry far more than the
/// 256 bits of the key derived from it only if they are random, which the template makes them.
pub const MIN_SECRET_CHARS: usize = 32;

/// Which seal key sealed a key.
pub type KeyId = [u8; ID_LEN];

/// A key sealed keys are sealed and opened with, derived from one version of the seal secret,
/// with the key that signs emailed links.
pub struct SealKey {
    id: KeyId,
    key: RandomizedNonceKey,
    link_key: hmac::Key,
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SealKey([redacted])")
    }
}

/// A secret too short to derive a seal key from.
#[derive(Debug, thiserror::Error)]
#[error("the seal secret has {0} characters; at least {MIN_SECRET_CHARS} are needed")]
pub struct ShortSecret(pub usize);

/// The output lengths HKDF is asked for.
struct Length(usize);

impl KeyType for Length {
    fn len(&self) -> usize {
        self.0
    }
}

impl SealKey {
    /// Derives the seal key of `secret` (a version of the seal secret's text).
    pub fn derive(secret: &str) -> Result<Self, ShortSecret> {
        let chars = secret.chars().count();
        if chars < MIN_SECRET_CHARS {
            return Err(ShortSecret(chars));
        }
        let prk = Salt::new(HKDF_SHA256, SALT).extract(secret.as_bytes());
        let mut material = [0u8; KEY_LEN + ID_LEN];
        let mut link_material = [0u8; KEY_LEN];
        prk.expand(&[b"aes-256-gcm key and key id"], Length(material.len()))
            .and_then(|okm| okm.fill(&mut material))
            .and_then(|()| prk.expand(&[b"hmac-sha256 key of emailed links"], Length(KEY_LEN)))
            .and_then(|okm| okm.fill(&mut link_material))
            .and_then(|()| Self::from_material(&material, &link_material))
            .map_err(|_| ShortSecret(chars))
    }

    /// A key of random bytes, for a process whose sealed keys need not outlive it (the local
    /// server's memory store, tests).
    ///
    /// # Panics
    /// If the operating system cannot provide randomness, as [`TokenKey::generate`].
    #[allow(
        clippy::expect_used,
        reason = "documented panic: without the OS's randomness no key is safe to use"
    )]
    pub fn random() -> Self {
        let mut material = [0u8; KEY_LEN + ID_LEN];
        let mut link_material = [0u8; KEY_LEN];
        OsRng
            .try_fill_bytes(&mut material)
            .and_then(|()| OsRng.try_fill_bytes(&mut link_material))
            .expect("the OS random number generator failed");
        Self::from_material(&material, &link_material).expect("32 bytes are an AES-256 key")
    }

    /// The key of the first [`KEY_LEN`] bytes of `material`, with the rest as its id, and the
    /// link key of `link_material`.
    fn from_material(
        material: &[u8; KEY_LEN + ID_LEN],
        link_material: &[u8; KEY_LEN],
    ) -> Result<Self, Unspecified> {
        let (key, id) = material.split_at(KEY_LEN);
        let mut key_id = [0u8; ID_LEN];
        key_id.copy_from_slice(id);
        Ok(Self {
            id: key_id,
            key: RandomizedNonceKey::new(&AES_256_GCM, key)?,
            link_key: hmac::Key::new(hmac::HMAC_SHA256, link_material),
        })
    }

    /// The HMAC-SHA256 of `message` under the link key.
    pub fn sign_link(&self, message: &[u8]) -> hmac::Tag {
        hmac::sign(&self.link_key, message)
    }

    /// Which key this is.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// Seals `key` for `username`.
    pub fn seal(&self, username: &str, key: &TokenKey) -> Option<SealedKey> {
        let mut in_out = key.expose().as_bytes().to_vec();
        let nonce = self
            .key
            .seal_in_place_append_tag(Aad::from(username.as_bytes()), &mut in_out)
            .ok()?;
        let mut sealed = Vec::with_capacity(1 + ID_LEN + NONCE_LEN + in_out.len());
        sealed.push(FORMAT);
        sealed.extend_from_slice(&self.id);
        sealed.extend_from_slice(nonce.as_ref());
        sealed.extend_from_slice(&in_out);
        Some(SealedKey::from_stored(sealed))
    }

    /// Opens `sealed` for `username`: `None` if it is not this key's, or does not open (altered,
    /// or sealed for another user).
    pub fn open(&self, username: &str, sealed: &SealedKey) -> Option<TokenKey> {
        let (id, nonce, ciphertext) = parts(sealed)?;
        if id != self.id {
            return None;
        }
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut in_out = ciphertext.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(username.as_bytes()), &mut in_out)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok().map(TokenKey::new)
    }
}

/// The id of the key that sealed `sealed`, if it has the layout of a sealed key.
pub fn key_id(sealed: &SealedKey) -> Option<KeyId> {
    parts(sealed).map(|(id, _, _)| id)
}

/// A sealed key's key id, nonce, and ciphertext with its tag.
fn parts(sealed: &SealedKey) -> Option<(KeyId, &[u8], &[u8])> {
    let bytes = sealed.as_bytes();
    let (&format, rest) = bytes.split_first()?;
    if format != FORMAT || rest.len() < ID_LEN + NONCE_LEN + TAG_LEN {
        return None;
    }
    let (id, rest) = rest.split_at(ID_LEN);
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let mut key_id = [0u8; ID_LEN];
    key_id.copy_from_slice(id);
    Some((key_id, nonce, ciphertext))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a test secret of more than thirty-two characters";

    #[test]
    fn a_sealed_key_opens_for_its_user_under_its_key_only() {
        let key = TokenKey::new("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b");
        let seal_key = SealKey::derive(SECRET).unwrap();
        let sealed = seal_key.seal("ann", &key).unwrap();
        assert_eq!(seal_key.open("ann", &sealed), Some(key.clone()));
        assert_eq!(seal_key.open("bob", &sealed), None, "sealed for ann");
        let same = SealKey::derive(SECRET).unwrap();
        assert_eq!(same.id(), seal_key.id(), "derived the same way each time");
        assert_eq!(same.open("ann", &sealed), Some(key.clone()));
        let other = SealKey::derive(&format!("{SECRET}!")).unwrap();
        assert_ne!(other.id(), seal_key.id());
        assert_eq!(other.open("ann", &sealed), None);
        assert_eq!(key_id(&sealed), Some(seal_key.id()));
    }

    #[test]
    fn each_seal_differs_and_any_altered_byte_fails_to_open() {
        let key = TokenKey::new("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b");
        let seal_key = SealKey::random();
        let sealed = seal_key.seal("ann", &key).unwrap();
        assert_ne!(seal_key.seal("ann", &key).unwrap(), sealed, "a fresh nonce");
        let bytes = sealed.as_bytes();
        assert_eq!(bytes.len(), 1 + ID_LEN + NONCE_LEN + 40 + TAG_LEN);
        for index in 0..bytes.len() {
            let mut altered = bytes.to_vec();
            altered[index] ^= 1;
            assert_eq!(
                seal_key.open("ann", &SealedKey::from_stored(altered)),
                None,
                "byte {index}"
            );
        }
        assert_eq!(
            seal_key.open("ann", &SealedKey::from_stored(Vec::new())),
            None
        );
    }

    #[test]
    fn a_short_secret_is_refused() {
        let error = SealKey::derive(&"x".repeat(MIN_SECRET_CHARS - 1)).unwrap_err();
        assert_eq!(error.0, MIN_SECRET_CHARS - 1);
        assert!(SealKey::derive(&"x".repeat(MIN_SECRET_CHARS)).is_ok());
    }
}
