//! Per-user keys kept sealed. DRF's contract hands a user the same key at every login, so the
//! per-user policy must be able to recover it; the users table keeps it sealed (AES-256-GCM)
//! under a key derived from a secret kept outside the tables (a Secrets Manager secret,
//! `TOKEN_SEAL_SECRET`), so that neither table, nor any backup or export of them, yields a
//! working key. Only the login (and the commands that issue or import per-user keys) open or
//! seal keys; the other functions never read the secret.
//!
//! - [`cipher`]: the cipher and the sealed layout;
//! - `secret`: reading the secret's versions from Secrets Manager (the current one at the first
//!   use; the previous one too when a key of another version appears).
//!
//! Rotation: a new version of the secret becomes current and the old one previous; keys sealed
//! under either open, a login reseals a key sealed under the previous one (or kept in plain
//! text by an earlier version of this project), and `authtoken token seal-keys` reseals them
//! all. A key sealed under neither is lost: that user's next login issues a new one.

pub mod cipher;
mod secret;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use self::cipher::KeyId;
pub use self::cipher::SealKey;
use self::secret::SecretSource;
use crate::secrets::token::{TokenDigest, TokenKey};

/// The boxed cause of a failure to read the seal secret.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// The least time between two reads of the secret prompted by a sealed key of an unknown key id
/// (the secret rotated since it was read).
const REFRESH_INTERVAL: Duration = Duration::from_secs(10);

/// A sealed key's bytes, as the users table keeps them. `Debug` prints only their length.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedKey(Vec<u8>);

impl SealedKey {
    /// Sealed bytes read back from the store.
    pub fn from_stored(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The bytes to store.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for SealedKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "SealedKey({} bytes)", self.0.len())
    }
}

/// How a user's per-user key is kept on the user, so that the next login can hand it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeptKey {
    /// Sealed: the key's digest (which names its record) and the sealed key.
    Sealed {
        /// The digest of the key.
        digest: TokenDigest,
        /// The key, sealed for its user.
        sealed: SealedKey,
    },
    /// In plain text, as versions before sealing kept it: still valid, resealed at the user's
    /// next login or by `authtoken token seal-keys`.
    Plain(TokenKey),
}

impl KeptKey {
    /// The digest of the key, under which its record is stored.
    pub fn digest(&self) -> TokenDigest {
        match self {
            Self::Sealed { digest, .. } => digest.clone(),
            Self::Plain(key) => key.digest(),
        }
    }

    /// What the users table keeps in the key's place and write conditions compare: the digest
    /// (64 characters) of a sealed key, a plain key itself (40).
    pub fn stored(&self) -> &str {
        match self {
            Self::Sealed { digest, .. } => digest.as_str(),
            Self::Plain(key) => key.expose(),
        }
    }

    /// `key` sealed as `sealed`.
    pub fn sealed(key: &TokenKey, sealed: SealedKey) -> Self {
        Self::Sealed {
            digest: key.digest(),
            sealed,
        }
    }
}

/// What opening a kept key gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The key, sealed under the current secret.
    Current(TokenKey),
    /// The key, kept in an older form (plain text, or sealed under the previous secret): to be
    /// sealed again under the current one.
    Stale(TokenKey),
    /// The key cannot be recovered: sealed under a secret no longer known, or altered. Its
    /// user needs a new one.
    Lost,
}

/// Why keys could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// No seal secret is configured.
    #[error(
        "no seal secret is configured ({}): per-user keys are kept sealed with \
         it (see docs/OPERATING.md, Keys at rest)",
        crate::manifest::settings::SEAL_SECRET.var
    )]
    Unconfigured,
    /// Reading the secret failed in a way that may pass if retried later.
    #[error("the seal secret could not be read for now")]
    Unavailable(#[source] Cause),
    /// The secret does not exist, may not be read, or is not a usable secret.
    #[error("the seal secret cannot be used")]
    Failed(#[source] Cause),
}

/// The seal keys in use: the current secret's, and the previous one's during a rotation.
struct Keys {
    current: Arc<SealKey>,
    previous: Option<Arc<SealKey>>,
    /// Whether the previous version was asked for (it is only once a key needs it).
    previous_read: bool,
    read_at: Instant,
}

impl Keys {
    fn find(&self, id: KeyId) -> Option<(&SealKey, bool)> {
        if self.current.id() == id {
            return Some((&self.current, true));
        }
        self.previous
            .as_deref()
            .filter(|previous| previous.id() == id)
            .map(|previous| (previous, false))
    }
}

/// Where the seal keys come from.
enum Source {
    /// Given once (tests, the local server): never read again.
    Fixed,
    /// The seal secret, read at first use and again after a rotation.
    Secret(SecretSource),
    /// None: sealing and opening fail with [`SealError::Unconfigured`].
    Unconfigured,
}

/// Seals per-user keys and opens them, with keys read once per process.
pub struct Sealer {
    source: Source,
    keys: Mutex<Option<Keys>>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::Fixed => "fixed key",
            Source::Secret(_) => "secret",
            Source::Unconfigured => "unconfigured",
        };
        write!(formatter, "Sealer({source})")
    }
}

impl Sealer {
    /// A sealer with one key, given.
    pub fn with_key(key: SealKey) -> Self {
        Self {
            source: Source::Fixed,
            keys: Mutex::new(Some(Keys {
                current: Arc::new(key),
                previous: None,
                previous_read: true,
                read_at: Instant::now(),
            })),
        }
    }

    /// A sealer with a random key, for a store that does not outlive the process.
    pub fn ephemeral() -> Self {
        Self::with_key(SealKey::random())
    }

    /// A sealer reading the secret `secret_id` with `client` when it is first needed.
    pub fn from_secret(client: aws_sdk_secretsmanager::Client, secret_id: String) -> Self {
        Self {
            source: Source::Secret(SecretSource::new(client, secret_id)),
            keys: Mutex::new(None),
        }
    }

    /// A sealer without a key: every use fails with [`SealError::Unconfigured`]. For the
    /// functions that never seal (they do not get the secret).
    pub fn unconfigured() -> Self {
        Self {
            source: Source::Unconfigured,
            keys: Mutex::new(None),
        }
    }

    /// Whether keys can be sealed at all (a key or a secret is configured).
    pub fn is_configured(&self) -> bool {
        !matches!(self.source, Source::Unconfigured)
    }

    /// Seals `key` for `username` under the current key.
    pub async fn seal(&self, username: &str, key: &TokenKey) -> Result<SealedKey, SealError> {
        let current = {
            let mut keys = self.keys.lock().await;
            Arc::clone(&self.loaded(&mut keys, false).await?.current)
        };
        current
            .seal(username, key)
            .ok_or_else(|| SealError::Failed("AES-256-GCM sealing failed".into()))
    }

    /// The signature of an emailed link's `message` (HMAC-SHA256) under the current secret.
    pub async fn sign_link(&self, message: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut keys = self.keys.lock().await;
        let loaded = self.loaded(&mut keys, false).await?;
        Ok(loaded.current.sign_link(message).as_ref().to_vec())
    }

    /// The signatures `message` may carry: under the current secret and, during a rotation,
    /// the previous one (read once per process, as for opening keys).
    pub async fn link_signatures(&self, message: &[u8]) -> Result<Vec<Vec<u8>>, SealError> {
        let mut keys = self.keys.lock().await;
        let mut loaded = self.loaded(&mut keys, false).await?;
        if matches!(self.source, Source::Secret(_)) && !loaded.previous_read {
            loaded = self.loaded(&mut keys, true).await?;
        }
        Ok(std::iter::once(&loaded.current)
            .chain(loaded.previous.as_ref())
            .map(|key| key.sign_link(message).as_ref().to_vec())
            .collect())
    }

    /// Opens `kept`, `username`'s key. A key sealed under a key id not known yet makes the
    /// secret's current and previous versions be read (it may have rotated since): at once the
    /// first time, then at most every 10 s (`REFRESH_INTERVAL`).
    pub async fn open(&self, username: &str, kept: &KeptKey) -> Result<Opened, SealError> {
        let sealed = match kept {
            KeptKey::Plain(key) => return Ok(Opened::Stale(key.clone())),
            KeptKey::Sealed { sealed, .. } => sealed,
        };
        let Some(id) = cipher::key_id(sealed) else {
            return Ok(Opened::Lost);
        };
        let mut keys = self.keys.lock().await;
        let mut loaded = self.loaded(&mut keys, false).await?;
        if loaded.find(id).is_none()
            && matches!(self.source, Source::Secret(_))
            && (!loaded.previous_read || loaded.read_at.elapsed() >= REFRESH_INTERVAL)
        {
            loaded = self.loaded(&mut keys, true).await?;
        }
        let opened = loaded.find(id).and_then(|(key, current)| {
            key.open(username, sealed)
                .filter(|key| key.digest() == kept.digest())
                .map(|key| {
                    if current {
                        Opened::Current(key)
                    } else {
                        Opened::Stale(key)
                    }
                })
        });
        Ok(opened.unwrap_or(Opened::Lost))
    }

    /// The keys, read from the source unless they are: the current version alone (one call,
    /// the common case), or with `with_previous` both again, in parallel.
    async fn loaded<'a>(
        &self,
        keys: &'a mut Option<Keys>,
        with_previous: bool,
    ) -> Result<&'a Keys, SealError> {
        if with_previous || keys.is_none() {
            let Source::Secret(secret) = &self.source else {
                return keys.as_ref().ok_or(SealError::Unconfigured);
            };
            // Boxed: the SDK call's future type is deep, and every handler would carry it.
            let read: Pin<Box<dyn Future<Output = _> + Send + '_>> =
                Box::pin(secret.read(with_previous));
            let (current, previous) = read.await?;
            *keys = Some(Keys {
                current: Arc::new(current),
                previous: previous.map(Arc::new),
                previous_read: with_previous,
                read_at: Instant::now(),
            });
        }
        keys.as_ref().ok_or(SealError::Unconfigured)
    }
}
