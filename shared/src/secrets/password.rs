//! Password hashing: argon2id with OWASP's first-choice parameters, PHC strings. Verification
//! also accepts the Django hashes of imported users ([`crate::secrets::django_hash`]), which a successful
//! login replaces.
//!
//! Hashing takes tens of milliseconds of CPU, so the async entry points run it on tokio's
//! blocking pool and the runtime keeps serving other requests meanwhile.
//!
//! Verification (every login) takes its 19 MiB of argon2 memory from a pool rather than from the
//! allocator: left to the allocator, each blocking thread kept its own freed 19 MiB, and a login
//! function reached 126 MB after a few invocations. With the pool, sequential logins share one
//! block of memory and concurrent ones use one each.
//!
//! At most [`hashing_slots`] hashes or verifications run at once (one per core); the others wait
//! their turn. Unbounded, 60 logins at once (their clients long gone) took a local server from
//! 26 MB to 729 MB, and the pool kept it there; bounded, memory stays at the slots' blocks.

use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};

use tokio::sync::Semaphore;

use crate::secrets::django_hash::{self, Check, Kind};
use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::TryRngCore;
use rand::rngs::OsRng;

/// Memory cost in KiB (OWASP: 19 MiB).
const MEMORY_KIB: u32 = 19_456;
/// Number of passes.
const ITERATIONS: u32 = 2;
/// Degree of parallelism.
const PARALLELISM: u32 = 1;

/// argon2 working memory, kept between verifications (see the module documentation); never
/// more blocks than [`hashing_slots`].
static MEMORY_POOL: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// The machine's cores (at least one), read once: on Linux, asking means reading cgroup files.
static SLOTS: LazyLock<usize> =
    LazyLock::new(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get));

/// Turns to hash or verify: one per core.
static HASHING: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(hashing_slots())));

/// How many hashes or verifications may run at once: the machine's cores (at least one).
pub fn hashing_slots() -> usize {
    *SLOTS
}

/// Longest password accepted, in bytes. Longer ones are refused without any hashing work, so a
/// megabyte "password" costs no more than a wrong one; no real password comes near this.
pub const MAX_PASSWORD_BYTES: usize = 4096;

/// A hash of the text "dummy password" made with the current parameters. Logging in as an unknown
/// user verifies against it, so that the answer takes as long as for a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$qiFQBiGUC+ujoq1emHbmPQ$9OUT1bWwCfzpD/uOHronPVb2DFBb6r5QBdT27zbsIuQ";

/// A plain-text password on its way to being hashed or verified. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password received from a client or an operator.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// True if the password is short enough to be worth hashing (see [`MAX_PASSWORD_BYTES`]).
    pub fn within_limit(&self) -> bool {
        self.0.len() <= MAX_PASSWORD_BYTES
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The text itself, for the checks on a new password ([`super::validators`]).
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// What checking a password against a stored hash found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The password is right. `needs_rehash` is true when the stored hash was made with weaker
    /// parameters (or another algorithm) than the current ones and should be replaced.
    Match {
        /// The stored hash should be replaced by a hash with the current parameters.
        needs_rehash: bool,
    },
    /// The password is wrong, the user is unknown, or the stored hash is unreadable.
    Mismatch,
}

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The password is longer than [`MAX_PASSWORD_BYTES`].
    #[error("the password is longer than {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    /// The argon2 implementation refused the input.
    #[error("argon2 failed")]
    Hashing(#[source] argon2::password_hash::Error),
    /// The blocking task that ran the hash did not finish.
    #[error("the hashing task did not complete")]
    Task(#[source] tokio::task::JoinError),
    /// The hashing slots were closed (they never are while the process runs).
    #[error("no hashing slot")]
    NoSlot,
}

#[allow(
    clippy::expect_used,
    reason = "constant parameters, checked against argon2's limits by the tests"
)]
fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("the argon2 parameters are constants within argon2's limits");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with the current parameters and a fresh random salt, as a PHC string.
/// Blocks for the duration of the hash: call [`hash_in_background`] from async code.
pub fn hash(password: &Password) -> Result<String, PasswordError> {
    if !password.within_limit() {
        return Err(PasswordError::TooLong);
    }
    let mut salt = [0u8; 16];
    #[allow(
        clippy::expect_used,
        reason = "without the OS's randomness there is no safe salt: stop, as TokenKey::generate"
    )]
    OsRng
        .try_fill_bytes(&mut salt)
        .expect("the OS random number generator failed");
    let salt = SaltString::encode_b64(&salt).map_err(PasswordError::Hashing)?;
    let hash = hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(PasswordError::Hashing)?;
    Ok(hash.to_string())
}

/// Checks a password against a stored hash (this project's argon2id PHC string, or an imported
/// Django hash), or against the dummy hash when there is no user (`stored` is `None`), so that
/// both take the same time. A Django unusable password, or a format that cannot be verified,
/// matches nothing, after a dummy verification for the same reason; so does a hash that asks
/// for more work than one login may do ([`django_hash::check_cost`]: one imported before the
/// import refused such hashes), which is never run. Blocks for the duration of the hash: call
/// [`verify_in_background`] from async code.
pub fn verify(stored: Option<&str>, password: &Password) -> Verdict {
    let known_user = stored.is_some();
    let stored = stored.unwrap_or(DUMMY_HASH);
    let affordable = django_hash::check_cost(stored).map_err(|error| {
        tracing::error!(%error, "a stored password hash asks for too much work: refused unrun");
    });
    let outcome = match django_hash::kind(stored) {
        Kind::Native if affordable.is_ok() => verify_phc(stored, password),
        Kind::Django(_) if affordable.is_ok() => verify_django(stored, password),
        _ => {
            let _ = verify_phc(DUMMY_HASH, password);
            None
        }
    };
    match outcome {
        Some(needs_rehash) if known_user => Verdict::Match { needs_rehash },
        _ => Verdict::Mismatch,
    }
}

/// `Some(needs_rehash)` if `password` matches the PHC string `stored`; `None` if not, or if the
/// string cannot be verified (logged).
fn verify_phc(stored: &str, password: &Password) -> Option<bool> {
    let parsed = match PasswordHash::new(stored) {
        Ok(parsed) => parsed,
        Err(error) => {
            tracing::error!(%error, "a stored password hash is not a valid PHC string");
            return None;
        }
    };
    match matches_hash(&parsed, password) {
        Ok(true) => Some(is_weaker_than_current(&parsed)),
        Ok(false) => None,
        Err(error) => {
            tracing::error!(%error, "a stored password hash cannot be verified");
            None
        }
    }
}

/// `Some(true)` (a Django hash always wants replacing) if `password` matches the Django hash
/// `stored`; `None` if not, or if it cannot be verified (logged).
fn verify_django(stored: &str, password: &Password) -> Option<bool> {
    match django_hash::parse(stored) {
        Ok(Check::Pbkdf2(hash)) => {
            django_hash::pbkdf2_matches(&hash, password.as_bytes()).then_some(true)
        }
        Ok(Check::Phc(phc)) => verify_phc(&phc, password).map(|_| true),
        Err(error) => {
            tracing::error!(%error, "a stored Django password hash cannot be verified");
            None
        }
    }
}

/// Recomputes the hash of `password` with the stored hash's algorithm, parameters and salt, in
/// pooled memory, and compares the outputs in constant time.
fn matches_hash(parsed: &PasswordHash<'_>, password: &Password) -> Result<bool, VerifyError> {
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(VerifyError::Format)?;
    let version = match parsed.version {
        Some(version) => Version::try_from(version).map_err(VerifyError::Argon2)?,
        None => Version::default(),
    };
    let params = Params::try_from(parsed).map_err(VerifyError::Format)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(VerifyError::Format(
            argon2::password_hash::Error::PhcStringField,
        ));
    };
    let mut salt_buffer = [0u8; 64];
    let salt = salt
        .decode_b64(&mut salt_buffer)
        .map_err(VerifyError::Format)?;
    let mut output = vec![0u8; expected.len()];
    let blocks = params.block_count();
    let hasher = Argon2::new(algorithm, version, params);
    with_pooled_memory(blocks, |memory| {
        hasher.hash_password_into_with_memory(password.as_bytes(), salt, &mut output, memory)
    })
    .map_err(VerifyError::Argon2)?;
    let output = Output::new(&output).map_err(VerifyError::Format)?;
    // `Output`'s equality is constant-time.
    Ok(output == expected)
}

/// Runs `work` on `blocks` argon2 blocks taken from the pool (or newly allocated), and returns
/// them to the pool afterwards.
fn with_pooled_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let pooled = MEMORY_POOL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .pop();
    let mut memory = match pooled {
        Some(memory) if memory.len() >= blocks => memory,
        _ => vec![Block::default(); blocks],
    };
    let result = work(&mut memory[..blocks]);
    let mut pool = MEMORY_POOL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Only this project's own size is kept: an imported Django hash's 100 MiB is paid once, at
    // the login that replaces it, not kept for the sandbox's life.
    if pool.len() < hashing_slots() && memory.len() <= MEMORY_KIB as usize {
        pool.push(memory);
    }
    result
}

/// Why a stored hash could not be checked.
#[derive(Debug, thiserror::Error)]
enum VerifyError {
    #[error("malformed hash")]
    Format(#[source] argon2::password_hash::Error),
    #[error("argon2 refused the parameters")]
    Argon2(#[source] argon2::Error),
}

/// [`hash`] on tokio's blocking pool, in its turn (see the module documentation).
pub async fn hash_in_background(password: Password) -> Result<String, PasswordError> {
    in_turn(move || hash(&password)).await?
}

/// [`verify`] on tokio's blocking pool, in its turn (see the module documentation).
pub async fn verify_in_background(
    stored: Option<String>,
    password: Password,
) -> Result<Verdict, PasswordError> {
    in_turn(move || verify(stored.as_deref(), &password)).await
}

/// Runs `work` on the blocking pool once a hashing slot is free. The slot is held until `work`
/// ends, even if the caller stops waiting (a client that hung up), so the bound holds.
async fn in_turn<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PasswordError> {
    let slot = Arc::clone(&HASHING)
        .acquire_owned()
        .await
        .map_err(|_| PasswordError::NoSlot)?;
    // The blocking thread enters the caller's span, so that what the work logs (and the
    // `argon2` span) sits under the login or command that asked for it.
    let span = tracing::info_span!("argon2");
    tokio::task::spawn_blocking(move || {
        let result = span.in_scope(work);
        drop(slot);
        result
    })
    .await
    .map_err(PasswordError::Task)
}

fn is_weaker_than_current(hash: &PasswordHash<'_>) -> bool {
    if hash.algorithm != Algorithm::Argon2id.ident() || hash.version != Some(Version::V0x13.into())
    {
        return true;
    }
    match Params::try_from(hash) {
        Ok(params) => {
            params.m_cost() < MEMORY_KIB
                || params.t_cost() < ITERATIONS
                || params.p_cost() < PARALLELISM
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier;

    #[test]
    fn imported_django_hashes_verify_and_ask_to_be_replaced() {
        let rehash = Verdict::Match { needs_rehash: true };
        // Django's PBKDF2 (an old dump's 1000 iterations) and Django's argon2 (made by
        // argon2-cffi, as Django's Argon2PasswordHasher does, with small parameters).
        let frank = "pbkdf2_sha256$1000$MXApBmLKF6pkpkrcC6QjfP$UjOAPKStDEWX24bp4hMk6UmhZ3FKjzSnJWYjEemE7FQ=";
        let carol = "argon2$argon2id$v=19$m=64,t=1,p=2$PI5HkMqE44Eb/KFtP5dOdw$kAby3IeGxKvjaSZkY2dRL3/kN8klkwB9GX8zdYCPwIE";
        for (stored, password) in [(frank, "frank's password"), (carol, "carol's password")] {
            assert_eq!(verify(Some(stored), &Password::new(password)), rehash);
            assert_eq!(
                verify(Some(stored), &Password::new("wrong")),
                Verdict::Mismatch
            );
        }
    }

    #[test]
    fn unusable_and_unsupported_hashes_match_nothing() {
        for stored in [
            "!QOdNq6NC7oqgNndoHxHvQYr4Thvu7SutLeODsXKZ",
            "!",
            "md5$VKZchZKdJb9hr1cKugpA53$ef63bcf339c415e2c197bc59ca0f6c52",
            "pbkdf2_sha256$1000$salt$not-base64",
        ] {
            for password in ["", "!", "grace's password", stored] {
                assert_eq!(
                    verify(Some(stored), &Password::new(password)),
                    Verdict::Mismatch,
                    "{stored}"
                );
            }
        }
    }

    #[test]
    fn pooled_verification_agrees_with_argon2s_own_verifier() {
        let hash = hash(&Password::new("s3cret")).unwrap();
        let parsed = PasswordHash::new(&hash).unwrap();
        for candidate in ["s3cret", "s3cret ", "", "S3cret"] {
            let ours = matches_hash(&parsed, &Password::new(candidate)).unwrap();
            let theirs = hasher()
                .verify_password(candidate.as_bytes(), &parsed)
                .is_ok();
            assert_eq!(ours, theirs, "{candidate:?}");
        }
    }

    fn weak_hash(password: &Password) -> String {
        let params = Params::new(8, 1, 1, None).unwrap();
        let salt = SaltString::encode_b64(b"fixed salt bytes").unwrap();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.as_bytes(), &salt)
            .unwrap()
            .to_string()
    }

    #[test]
    fn a_stored_hash_asking_for_too_many_passes_is_refused_unrun_though_it_matches() {
        let password = Password::new("the password");
        let salt = SaltString::encode_b64(b"fixed salt bytes").unwrap();
        let with_passes = |passes| {
            let params = Params::new(8, passes, 1, None).unwrap();
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(password.as_bytes(), &salt)
                .unwrap()
                .to_string()
        };
        assert!(matches!(
            verify(Some(&with_passes(4)), &password),
            Verdict::Match { .. }
        ));
        assert_eq!(verify(Some(&with_passes(5)), &password), Verdict::Mismatch);
    }

    #[test]
    fn hash_is_an_argon2id_phc_string_with_the_owasp_parameters() {
        let hash = hash(&Password::new("s3cret")).unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }

    #[test]
    fn the_right_password_matches_and_needs_no_rehash() {
        let password = Password::new("s3cret");
        let hash = hash(&password).unwrap();
        assert_eq!(
            verify(Some(&hash), &password),
            Verdict::Match {
                needs_rehash: false
            }
        );
    }

    #[test]
    fn a_wrong_password_does_not_match() {
        let hash = hash(&Password::new("s3cret")).unwrap();
        assert_eq!(
            verify(Some(&hash), &Password::new("s3cret ")),
            Verdict::Mismatch
        );
    }

    #[test]
    fn no_stored_hash_never_matches_even_the_dummy_password() {
        assert_eq!(
            verify(None, &Password::new("dummy password")),
            Verdict::Mismatch
        );
    }

    #[test]
    fn verification_memory_returns_to_the_pool() {
        let password = Password::new("s3cret");
        let hash = hash(&password).unwrap();
        for _ in 0..3 {
            assert!(matches!(
                verify(Some(&hash), &password),
                Verdict::Match { .. }
            ));
        }
        let pool = MEMORY_POOL.lock().unwrap();
        assert!(
            !pool.is_empty() && pool.len() <= 2,
            "pooled: {}",
            pool.len()
        );
    }

    #[test]
    fn a_stored_hash_asking_for_too_much_memory_is_refused_unrun() {
        let costly = "$argon2id$v=19$m=4000000,t=1,p=1$c2l4dGVlbiBieXRlIHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(verify(Some(costly), &Password::new("x")), Verdict::Mismatch);
    }

    #[test]
    fn the_dummy_hash_uses_the_current_parameters() {
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert!(!is_weaker_than_current(&parsed));
        assert!(
            hasher().verify_password(b"dummy password", &parsed).is_ok(),
            "the dummy hash must be a real hash, or unknown users would answer faster"
        );
    }

    #[test]
    fn a_hash_with_weaker_parameters_matches_and_asks_for_a_rehash() {
        let password = Password::new("s3cret");
        assert_eq!(
            verify(Some(&weak_hash(&password)), &password),
            Verdict::Match { needs_rehash: true }
        );
    }

    #[test]
    fn an_unreadable_stored_hash_is_a_mismatch() {
        assert_eq!(
            verify(Some("not a phc string"), &Password::new("x")),
            Verdict::Mismatch
        );
    }

    #[test]
    fn an_overlong_password_is_not_hashed() {
        let long = Password::new("x".repeat(MAX_PASSWORD_BYTES + 1));
        assert!(!long.within_limit());
        assert!(matches!(hash(&long), Err(PasswordError::TooLong)));
    }

    #[test]
    fn debug_output_hides_the_password() {
        assert!(!format!("{:?}", Password::new("s3cret")).contains("s3cret"));
    }

    #[tokio::test]
    async fn a_verification_waits_for_a_free_hashing_slot() {
        let all = u32::try_from(hashing_slots()).unwrap();
        let held = Arc::clone(&HASHING).acquire_many_owned(all).await.unwrap();
        let waiting = tokio::spawn(verify_in_background(None, Password::new("pw")));
        let early = tokio::time::timeout(std::time::Duration::from_millis(300), async {
            while !waiting.is_finished() {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(early.is_err(), "verified while every slot was taken");
        drop(held);
        assert_eq!(waiting.await.unwrap().unwrap(), Verdict::Mismatch);
    }
}
