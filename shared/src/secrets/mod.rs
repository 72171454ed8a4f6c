//! The secrets, each in a type that never prints it: passwords and their argon2id hashes
//! ([`password`], with the Django hashes of imported users, [`django_hash`]), token keys and
//! their digests ([`token`]), and the per-user keys kept sealed on users ([`seal`]); the rules a
//! new password must meet ([`validators`], Django's; [`breaches`], the optional check against
//! known breached passwords).

pub mod breaches;
pub mod django_hash;
pub mod password;
pub mod seal;
pub mod token;
pub mod validators;
