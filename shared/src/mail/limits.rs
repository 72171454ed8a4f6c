//! The sending limits (`MAIL_LIMIT_PER_ADDRESS`, `MAIL_LIMIT_PER_SOURCE`): requests counted per
//! address and per client address in hourly windows, in the lockouts table beside the login
//! counts, so that nobody can flood a mailbox, or the sender's reputation, through the endpoint.
//! A request beyond a limit is dropped silently (its answer was already 204) and logged as
//! `mail_dropped`. Addresses are counted by a digest, never stored.

use sha2::{Digest, Sha256};

use crate::secrets::token::to_hex;
use crate::store::{Attempt, AttemptGate, Store, StoreError};

/// The window the limits count in: an hour.
pub const WINDOW_SECONDS: u64 = 3600;

/// Which limit a request reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// `MAIL_LIMIT_PER_ADDRESS`.
    Address,
    /// `MAIL_LIMIT_PER_SOURCE`.
    Source,
}

impl Limited {
    /// The `reason` of its `mail_dropped` event.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Address => "address_limit",
            Self::Source => "source_limit",
        }
    }
}

/// Counts a request for `address` from `source` at `now`: `Ok(None)` if it is within both
/// limits, else the one it reached (the address is counted first, and a request it stops is
/// not counted against its source).
pub async fn count(
    store: &impl Store,
    (address, source): (&str, Option<&str>),
    (per_address, per_source): (u32, u32),
    now: u64,
) -> Result<Option<Limited>, StoreError> {
    let window = now / WINDOW_SECONDS;
    let digest = Sha256::digest(crate::email::folded(address).as_bytes());
    let address_key = format!("\u{2}mail address {} {window}", to_hex(&digest[..16]));
    if !within(store, &address_key, per_address, now).await? {
        return Ok(Some(Limited::Address));
    }
    if let Some(source) = source {
        let source_key = format!("\u{2}mail source {source} {window}");
        if !within(store, &source_key, per_source, now).await? {
            return Ok(Some(Limited::Source));
        }
    }
    Ok(None)
}

/// Counts one more under `key`, if fewer than `limit` are counted in its window.
async fn within(store: &impl Store, key: &str, limit: u32, now: u64) -> Result<bool, StoreError> {
    let window_ends = (now / WINDOW_SECONDS + 1) * WINDOW_SECONDS;
    let gate = AttemptGate {
        now,
        threshold: limit,
        // A window's count stops requests until the window ends, never before.
        unlocked_before: 0,
        source: None,
        account_threshold: limit,
        forget_at: window_ends + WINDOW_SECONDS,
    };
    Ok(matches!(
        store.count_attempt(key, &gate).await?,
        Attempt::Counted(_)
    ))
}
