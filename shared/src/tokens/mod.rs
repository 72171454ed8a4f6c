//! Tokens: issued ([`issue`]) under the two policies ([`crate::policy`]), authenticated and
//! renewed under sliding expiry ([`mod@authenticate`], [`crate::sliding`]), and taken away
//! ([`revoke`]).

pub mod authenticate;
pub mod issue;
pub mod revoke;

pub use authenticate::{Caller, authenticate, caller, renew};
pub use issue::Granted;
pub(crate) use issue::{Ensured, Issuer, issue_token, reseal};
