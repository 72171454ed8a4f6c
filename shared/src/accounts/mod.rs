//! What changes a user's account, whoever asks for it: an operator at the command line
//! ([`crate::admin`]) or the user through djoser's endpoints ([`crate::handlers`]). Each change
//! is one conditional store step, read again and retried when another writer wins the race
//! ([`crate::store::rounds`]), and says who made it in its audit event.
//!
//! - [`password`]: a new password, with the user's tokens revoked in the same step or kept;
//! - [`profile`]: the user's id, assigned once to a user from before ids;
//! - [`rename`]: the user under a new name, with every token of theirs;
//! - [`folding`]: what a table needs before names match whatever their case;
//! - [`links`]: the `uid` and `token` of the links emailed to users;
//! - [`activation`]: a new address that waits for its activation link;
//! - [`sessions`]: the user's tokens listed by digest prefix, and ended one at a time;
//! - [`deletion`]: the user deleted with every token of theirs.

pub mod activation;
pub mod deletion;
pub mod folding;
pub mod links;
pub mod password;
pub mod profile;
pub mod rename;
pub mod sessions;
