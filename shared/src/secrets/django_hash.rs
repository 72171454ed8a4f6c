//! Django's password hash formats, as `manage.py dumpdata` exports them, for users moved from a
//! DRF back-end (`authtoken import django`): recognised at import, verified at login, and
//! replaced by argon2id at the first successful login.
//!
//! - `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` (Django's default; 1,000,000 iterations
//!   since Django 5.2) and `pbkdf2_sha1$...`: PBKDF2-HMAC with the salt's text as its bytes and
//!   a 32- (20-) byte output, verified with AWS-LC's PBKDF2 (through `aws-lc-rs`, which also
//!   seals the per-user keys) and compared in constant time;
//! - `argon2$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>` (and Django's older `argon2i`):
//!   the PHC string after Django's `argon2` prefix, verified by the argon2 crate.
//!
//! A hash starting with `!` is Django's unusable password: the user can never log in with one.
//! Any other format is one this project cannot verify, refused at import.
//!
//! A stored hash chooses its own cost, so [`check_cost`] bounds it (imported hashes are refused
//! at import, and any that slipped in before are refused at login unrun): at most a stated
//! margin above Django 5.2's own defaults, so that one login always ends well inside the
//! function's timeout.

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Params};
use base64ct::{Base64, Encoding};
use std::num::NonZeroU32;

use aws_lc_rs::pbkdf2;

/// Most PBKDF2 work a stored hash may ask for, in blocks (iterations × the output's length in
/// digest blocks, ⌈length / 32⌉ for SHA-256, ⌈length / 20⌉ for SHA-1): five times Django 5.2's
/// 1,000,000 iterations of one block (about 0.7 s on one core of the development machine).
pub const MAX_PBKDF2_BLOCKS: u64 = 5_000_000;

/// Largest argon2 memory cost a stored hash may ask for, in KiB: 128 MiB, Django's argon2
/// hasher's 100 MiB with a quarter more.
pub const MAX_ARGON2_MEMORY_KIB: u32 = 128 * 1024;
/// Most argon2 passes: twice Django's 2.
pub const MAX_ARGON2_PASSES: u32 = 4;
/// Most argon2 lanes: twice Django's 8.
pub const MAX_ARGON2_LANES: u32 = 16;
/// Most argon2 work, memory × passes (KiB): twice Django's 102,400 KiB × 2 passes.
pub const MAX_ARGON2_WORK: u64 = 2 * 102_400 * 2;

/// The algorithm names of Django's other hashers (`django.contrib.auth.hashers`), past and
/// present: named when refused, since a name says nothing of the password.
const OTHER_DJANGO_HASHERS: [&str; 8] = [
    "bcrypt_sha256",
    "bcrypt",
    "scrypt",
    "sha1",
    "md5",
    "unsalted_sha1",
    "unsalted_md5",
    "crypt",
];

/// What kind of hash a stored password is, as far as this project is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// This project's own argon2id PHC string.
    Native,
    /// A Django hash this project verifies (and replaces at the next login).
    Django(&'static str),
    /// Django's unusable password (`!...`): no password logs in.
    Unusable,
    /// A format this project cannot verify: one of Django's other hashers (named), or no known
    /// format at all (`None`; such a string may be a bare digest of the password, so it is
    /// never repeated).
    Unsupported(Option<&'static str>),
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
        other => Kind::Unsupported(
            OTHER_DJANGO_HASHERS
                .iter()
                .copied()
                .find(|name| *name == other),
        ),
    }
}

/// Why a Django hash could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum DjangoHashError {
    /// The hash does not have its format's fields.
    #[error("malformed {0} hash")]
    Malformed(&'static str),
    /// The hash asks for more work than this project allows one login (see [`check_cost`]).
    #[error("the hash asks for {0}, over the limit of {1}")]
    TooCostly(String, String),
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
    iterations: NonZeroU32,
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
            let iterations: NonZeroU32 = iterations.parse().map_err(|_| malformed())?;
            let expected = Base64::decode_vec(hash).map_err(|_| malformed())?;
            if expected.is_empty() || salt.is_empty() {
                return Err(malformed());
            }
            let digest_length = if algorithm == "pbkdf2_sha1" { 20 } else { 32 };
            let blocks =
                u64::from(iterations.get()) * expected.len().div_ceil(digest_length) as u64;
            if blocks > MAX_PBKDF2_BLOCKS {
                return Err(DjangoHashError::TooCostly(
                    format!(
                        "{iterations} PBKDF2 iterations of a {}-byte output ({blocks} blocks)",
                        expected.len()
                    ),
                    format!("{MAX_PBKDF2_BLOCKS} blocks (5 × Django 5.2's default)"),
                ));
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

/// Whether one login may verify `stored` (any stored hash: this project's argon2id, or an
/// imported one): its cost within [`MAX_PBKDF2_BLOCKS`] for PBKDF2, and within
/// [`MAX_ARGON2_MEMORY_KIB`], [`MAX_ARGON2_PASSES`], [`MAX_ARGON2_LANES`] and
/// [`MAX_ARGON2_WORK`] for argon2; an argon2 PHC string must be readable. Unusable and
/// unsupported hashes cost nothing (they are never run).
pub fn check_cost(stored: &str) -> Result<(), DjangoHashError> {
    match kind(stored) {
        Kind::Unusable | Kind::Unsupported(_) => Ok(()),
        Kind::Native => check_argon2_cost(stored),
        Kind::Django(_) => match parse(stored)? {
            Check::Pbkdf2(_) => Ok(()),
            Check::Phc(phc) => check_argon2_cost(&phc),
        },
    }
}

/// [`check_cost`] for an argon2 PHC string.
fn check_argon2_cost(phc: &str) -> Result<(), DjangoHashError> {
    let malformed = || DjangoHashError::Malformed("argon2");
    let parsed = PasswordHash::new(phc).map_err(|_| malformed())?;
    Algorithm::try_from(parsed.algorithm).map_err(|_| malformed())?;
    let params = Params::try_from(&parsed).map_err(|_| malformed())?;
    let (memory, passes, lanes) = (params.m_cost(), params.t_cost(), params.p_cost());
    let work = u64::from(memory) * u64::from(passes);
    if memory > MAX_ARGON2_MEMORY_KIB
        || passes > MAX_ARGON2_PASSES
        || lanes > MAX_ARGON2_LANES
        || work > MAX_ARGON2_WORK
    {
        return Err(DjangoHashError::TooCostly(
            format!("argon2 with m={memory} KiB, t={passes}, p={lanes}"),
            format!(
                "m={MAX_ARGON2_MEMORY_KIB}, t={MAX_ARGON2_PASSES}, p={MAX_ARGON2_LANES} and \
                 m×t={MAX_ARGON2_WORK} (about twice Django 5.2's argon2 hasher)"
            ),
        ));
    }
    Ok(())
}

/// Whether `password` is the one `hash` was made from: PBKDF2 recomputed with the hash's
/// digest, iterations and salt, compared in constant time. Takes as long as the iterations ask.
pub fn pbkdf2_matches(hash: &Pbkdf2Hash, password: &[u8]) -> bool {
    let algorithm = if hash.sha1 {
        pbkdf2::PBKDF2_HMAC_SHA1
    } else {
        pbkdf2::PBKDF2_HMAC_SHA256
    };
    let salt = hash.salt.as_bytes();
    pbkdf2::verify(algorithm, hash.iterations, salt, password, &hash.expected).is_ok()
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
        assert_eq!(kind("md5$salt$hash"), Kind::Unsupported(Some("md5")));
        // Django's unsalted MD5 of old: a bare digest of the password, never to be repeated.
        assert_eq!(
            kind("5f4dcc3b5aa765d61d8327deb882cf99"),
            Kind::Unsupported(None)
        );
        assert_eq!(
            kind("bcrypt_sha256$$2b$12$x"),
            Kind::Unsupported(Some("bcrypt_sha256"))
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
            parse("pbkdf2_sha256$5000001$salt$aGFzaA=="),
            Err(DjangoHashError::TooCostly(..))
        ));
    }

    #[test]
    fn the_output_length_counts_in_the_pbkdf2_cost() {
        // 1,000,000 iterations is Django's own; a 320-byte output makes it ten blocks each.
        let long_output = Base64::encode_string(&[7u8; 320]);
        let stored = format!("pbkdf2_sha256$1000000$salt${long_output}");
        assert!(matches!(
            parse(&stored),
            Err(DjangoHashError::TooCostly(..))
        ));
        let sha1 = format!(
            "pbkdf2_sha1$1000000$salt${}",
            Base64::encode_string(&[7u8; 120])
        );
        assert!(matches!(parse(&sha1), Err(DjangoHashError::TooCostly(..))));
        assert!(parse(SHA256).is_ok(), "Django's own default passes");
    }

    #[test]
    fn argon2_costs_are_bounded_in_memory_passes_lanes_and_work() {
        let phc =
            |params: &str| format!("$argon2id$v=19${params}$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA");
        for allowed in ["m=19456,t=2,p=1", "m=102400,t=2,p=8", "m=131072,t=3,p=16"] {
            assert!(check_cost(&phc(allowed)).is_ok(), "{allowed}");
            assert!(
                check_cost(&format!("argon2{}", phc(allowed))).is_ok(),
                "{allowed}"
            );
        }
        for refused in [
            "m=131073,t=1,p=1",
            "m=8,t=5,p=1",
            "m=1024,t=1,p=17",
            "m=131072,t=4,p=1",
        ] {
            assert!(
                matches!(
                    check_cost(&phc(refused)),
                    Err(DjangoHashError::TooCostly(..))
                ),
                "{refused}"
            );
            let django = format!("argon2{}", phc(refused));
            assert!(
                matches!(check_cost(&django), Err(DjangoHashError::TooCostly(..))),
                "{refused}"
            );
        }
        assert!(matches!(
            check_cost("$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaA"),
            Err(DjangoHashError::Malformed(_))
        ));
        assert!(check_cost("!unusable").is_ok());
        assert!(
            check_cost("md5$salt$hash").is_ok(),
            "unsupported: refused elsewhere, never run"
        );
    }
}
