//! Django's password hash formats, as `manage.py dumpdata` exports them, for users moved from a
//! DRF back-end (`authtoken import django`): recognised at import, verified at login, and
//! replaced by argon2id at the first successful login.
//!
//! - `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` (Django's default; 1,000,000 iterations
//!   since Django 5.2) and `pbkdf2_sha1$...`: PBKDF2-HMAC with the salt's text as its bytes and
//!   a 32- (20-) byte output, verified with RustCrypto's `pbkdf2` and compared in constant time;
//! - `argon2$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>` (and Django's older `argon2i`):
//!   the PHC string after Django's `argon2` prefix, verified by the argon2 crate.
//!
//! A hash starting with `!` is Django's unusable password: the user can never log in with one.
//! Any other format is one this project cannot verify, refused at import.

use base64ct::{Base64, Encoding};
use sha1::Sha1;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Most PBKDF2 iterations a stored hash may ask for: ten times Django's current figure. A hash
/// asking for more is refused rather than allowed to make one login take minutes.
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// What kind of hash a stored password is, as far as this project is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// This project's own argon2id PHC string.
    Native,
    /// A Django hash this project verifies (and replaces at the next login).
    Django(&'static str),
    /// Django's unusable password (`!...`): no password logs in.
    Unusable,
    /// A format this project cannot verify; the name is the hash's algorithm field.
    Unsupported(String),
}

/// What `stored` is (see [`Kind`]).
pub fn kind(stored: &str) -> Kind {
    if stored.starts_with('!') {
        return Kind::Unusable;
    }
    if stored.starts_with('$') {
        return Kind::Native;
    }
    let algorithm = stored.split('$').next().unwrap_or_default();
    match algorithm {
        "pbkdf2_sha256" => Kind::Django("pbkdf2_sha256"),
        "pbkdf2_sha1" => Kind::Django("pbkdf2_sha1"),
        "argon2" => Kind::Django("argon2"),
        other => Kind::Unsupported(other.to_owned()),
    }
}

/// Why a Django hash could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum DjangoHashError {
    /// The hash does not have its format's fields.
    #[error("malformed {0} hash")]
    Malformed(&'static str),
    /// The hash asks for more PBKDF2 iterations than [`MAX_PBKDF2_ITERATIONS`].
    #[error("the hash asks for {0} PBKDF2 iterations, over the limit")]
    TooCostly(u32),
}

/// How a Django hash is checked.
pub enum Check {
    /// Recompute PBKDF2 here ([`pbkdf2_matches`]).
    Pbkdf2(Pbkdf2Hash),
    /// Verify this PHC string as argon2 hashes are.
    Phc(String),
}

/// A parsed `pbkdf2_sha256$...` or `pbkdf2_sha1$...` hash.
pub struct Pbkdf2Hash {
    sha1: bool,
    iterations: u32,
    salt: String,
    expected: Vec<u8>,
}

/// How to check a password against `stored`, a hash of [`Kind::Django`].
pub fn parse(stored: &str) -> Result<Check, DjangoHashError> {
    let mut fields = stored.splitn(2, '$');
    let algorithm = fields.next().unwrap_or_default();
    let rest = fields.next().unwrap_or_default();
    match algorithm {
        "argon2" => Ok(Check::Phc(format!("${rest}"))),
        "pbkdf2_sha256" | "pbkdf2_sha1" => {
            let malformed = || {
                DjangoHashError::Malformed(if algorithm == "pbkdf2_sha1" {
                    "pbkdf2_sha1"
                } else {
                    "pbkdf2_sha256"
                })
            };
            let parts: Vec<&str> = rest.split('$').collect();
            let [iterations, salt, hash] = parts[..] else {
                return Err(malformed());
            };
            let iterations: u32 = iterations.parse().map_err(|_| malformed())?;
            if iterations == 0 {
                return Err(malformed());
            }
            if iterations > MAX_PBKDF2_ITERATIONS {
                return Err(DjangoHashError::TooCostly(iterations));
            }
            let expected = Base64::decode_vec(hash).map_err(|_| malformed())?;
            if expected.is_empty() || salt.is_empty() {
                return Err(malformed());
            }
            Ok(Check::Pbkdf2(Pbkdf2Hash {
                sha1: algorithm == "pbkdf2_sha1",
                iterations,
                salt: salt.to_owned(),
                expected,
            }))
        }
        _ => Err(DjangoHashError::Malformed("Django")),
    }
}

/// Whether `password` is the one `hash` was made from: PBKDF2 recomputed with the hash's
/// digest, iterations and salt, compared in constant time. Takes as long as the iterations ask.
pub fn pbkdf2_matches(hash: &Pbkdf2Hash, password: &[u8]) -> bool {
    let mut output = vec![0u8; hash.expected.len()];
    let salt = hash.salt.as_bytes();
    if hash.sha1 {
        pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, hash.iterations, &mut output);
    } else {
        pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, hash.iterations, &mut output);
    }
    output.ct_eq(&hash.expected).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made by Django 5.2: `make_password("alice's password")`.
    const SHA256: &str =
        "pbkdf2_sha256$1000000$wCQvcnPbwDDWmlqBLf50VF$vNd/t1xgRuOSrY4KwTCUMlu2/RFNJjjY675lYTwKx1c=";
    /// Made by Django 5.2's PBKDF2 hasher at 1000 iterations (as an old dump holds), password
    /// "frank's password".
    const OLD: &str =
        "pbkdf2_sha256$1000$MXApBmLKF6pkpkrcC6QjfP$UjOAPKStDEWX24bp4hMk6UmhZ3FKjzSnJWYjEemE7FQ=";

    fn pbkdf2(stored: &str) -> Pbkdf2Hash {
        match parse(stored).unwrap() {
            Check::Pbkdf2(hash) => hash,
            Check::Phc(_) => panic!("a PBKDF2 hash"),
        }
    }

    #[test]
    fn kinds_are_told_apart_by_their_algorithm_field() {
        assert_eq!(kind(SHA256), Kind::Django("pbkdf2_sha256"));
        assert_eq!(kind("pbkdf2_sha1$1$a$b"), Kind::Django("pbkdf2_sha1"));
        assert_eq!(
            kind("argon2$argon2id$v=19$m=1,t=1,p=1$a$b"),
            Kind::Django("argon2")
        );
        assert_eq!(kind("!0A1b2C3d"), Kind::Unusable);
        assert_eq!(kind("$argon2id$v=19$m=19456,t=2,p=1$a$b"), Kind::Native);
        assert_eq!(kind("md5$salt$hash"), Kind::Unsupported("md5".to_owned()));
        assert_eq!(
            kind("bcrypt_sha256$$2b$12$x"),
            Kind::Unsupported("bcrypt_sha256".to_owned())
        );
    }

    #[test]
    fn a_django_pbkdf2_hash_verifies_its_password_only() {
        let old = pbkdf2(OLD);
        assert!(pbkdf2_matches(&old, b"frank's password"));
        assert!(!pbkdf2_matches(&old, b"frank's passwordx"));
        assert!(!pbkdf2_matches(&old, b""));
    }

    #[test]
    fn a_pbkdf2_sha1_hash_verifies_too() {
        // Python's hashlib.pbkdf2_hmac("sha1", b"bob's password", b"saltsalt", 1000), as
        // Django's PBKDF2SHA1PasswordHasher writes it.
        let hash = pbkdf2("pbkdf2_sha1$1000$saltsalt$UNuzcoWdq4cz6rnNsEzdRxgKBm0=");
        assert!(pbkdf2_matches(&hash, b"bob's password"));
        assert!(!pbkdf2_matches(&hash, b"alice's password"));
    }

    #[test]
    fn django_argon2_becomes_a_phc_string() {
        let Check::Phc(phc) = parse("argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA").unwrap()
        else {
            panic!("a PHC string");
        };
        assert_eq!(phc, "$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA");
    }

    #[test]
    fn malformed_and_costly_hashes_are_refused() {
        for stored in [
            "pbkdf2_sha256$abc$salt$aGFzaA==",
            "pbkdf2_sha256$0$salt$aGFzaA==",
            "pbkdf2_sha256$1000$salt",
            "pbkdf2_sha256$1000$$aGFzaA==",
            "pbkdf2_sha256$1000$salt$not base64!",
            "pbkdf2_sha256$1000$salt$",
        ] {
            assert!(
                matches!(parse(stored), Err(DjangoHashError::Malformed(_))),
                "{stored}"
            );
        }
        assert!(matches!(
            parse("pbkdf2_sha256$10000001$salt$aGFzaA=="),
            Err(DjangoHashError::TooCostly(10_000_001))
        ));
    }
}
