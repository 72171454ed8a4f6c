//! Authentication from an `Authorization` header, with DRF's `TokenAuthentication` rules, for
//! any function that must know who is calling: the endpoints' pipeline, an authorizer, a guard.

use crate::config::Settings;
use crate::http::header::{self, Credentials, HeaderError};
use crate::store::{Store, StoreError};
use crate::tokens::{self, Caller};

/// Why an `Authorization` header authenticates nobody: DRF's three 401s (their messages are
/// DRF's), or a store failure, which must not look like a bad token.
#[derive(Debug, thiserror::Error)]
pub enum Denied {
    /// No `Token` credentials: no header, or another scheme.
    #[error("Authentication credentials were not provided.")]
    NotAuthenticated,
    /// A malformed `Token` header.
    #[error(transparent)]
    BadHeader(#[from] HeaderError),
    /// A well-formed header whose key is unknown, expired or logged out.
    #[error("Invalid token.")]
    InvalidToken,
    /// The store could not answer.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Authenticates the raw bytes of an `Authorization` header (`None`: no header): `Token <key>`,
/// then [`tokens::caller`]. A malformed header or key costs no read.
pub async fn authenticate_header(
    store: &impl Store,
    settings: &Settings,
    header: Option<&[u8]>,
) -> Result<Caller, Denied> {
    let Credentials::Key(key) = header::parse(header)? else {
        return Err(Denied::NotAuthenticated);
    };
    tokens::caller(store, settings, key)
        .await?
        .ok_or(Denied::InvalidToken)
}
