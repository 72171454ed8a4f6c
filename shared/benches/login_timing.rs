//! Login timing for the three ways credentials fail: an unknown user, an inactive user (right
//! password) and a wrong password, measured side by side through the login handler on the memory
//! store, interleaved round by round so that machine noise falls on all three alike.
//! They must be within 10% of one another, or the answer's timing tells who has an account.
//! Failures are counted as in production (so the lockout's write is in the figures) under a
//! threshold the rounds never reach. A fifth figure is a login for a locked username: answered
//! 429 before any hashing; a sixth, the first login of a user imported from Django with its
//! `pbkdf2_sha256` hash at Django 5.2's 1,000,000 iterations (verified, then replaced by
//! argon2id).
//!
//! Run: `cargo bench -p authtoken --bench login_timing` (BENCH_ROUNDS=N to change the rounds).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use std::time::{Duration, Instant};

use authtoken::Ctx;
use authtoken::admin;
use authtoken::config::Settings;
use authtoken::endpoint;
use authtoken::handlers;
use authtoken::lockout::LockoutPolicy;
use authtoken::secrets::password::Password;
use authtoken::store::Store;
use authtoken::store::memory::MemoryStore;
use lambda_http::Body;

const CASES: [(&str, &str, &str); 4] = [
    ("unknown user", "nobody", "some password"),
    ("inactive user", "carol", "carol's password"),
    ("wrong password", "admin", "not the password"),
    ("right password (reference)", "admin", "password"),
];

fn login_request(username: &str, password: &str) -> lambda_http::Request {
    let body = serde_json::json!({ "username": username, "password": password }).to_string();
    http::Request::builder()
        .method("POST")
        .uri(endpoint::LOGIN.slashed_path())
        .header("Content-Type", "application/json")
        .body(Body::Text(body))
        .expect("request")
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(60);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ctx = runtime.block_on(async {
        let counting_never_locking = LockoutPolicy {
            threshold: 1000,
            account_threshold: 1000,
            source_threshold: 0,
            ..LockoutPolicy::default()
        };
        let ctx = Ctx::new(
            MemoryStore::new(),
            Settings {
                lockout: counting_never_locking,
                ..Settings::default()
            },
        );
        admin::create_user(&ctx.store, "admin", Password::new("password"), true)
            .await
            .expect("admin");
        admin::create_user(
            &ctx.store,
            "carol",
            Password::new("carol's password"),
            false,
        )
        .await
        .expect("carol");
        ctx
    });
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); CASES.len()];
    // One warm-up round, then the measured ones; each round starts with a different case.
    for round in 0..=rounds {
        for offset in 0..CASES.len() {
            let case = (round + offset) % CASES.len();
            let (_, username, password) = CASES[case];
            let started = Instant::now();
            let response =
                runtime.block_on(handlers::login(&ctx, login_request(username, password)));
            let elapsed = started.elapsed();
            let expected = if case == 3 { 200 } else { 400 };
            assert_eq!(response.status().as_u16(), expected, "{}", CASES[case].0);
            if round > 0 {
                samples[case].push(elapsed);
            }
        }
    }
    for case in &mut samples {
        case.sort_unstable();
    }
    let reference = percentile(&samples[2], 0.5);
    println!(
        "login timing, {rounds} interleaved rounds per case (memory store, argon2id m=19456 t=2 p=1)"
    );
    println!(
        "{:<28} {:>10} {:>10} {:>10} {:>16}",
        "case", "median ms", "p10 ms", "p90 ms", "median / wrong pw"
    );
    for (case, sorted) in CASES.iter().zip(&samples) {
        let median = percentile(sorted, 0.5);
        println!(
            "{:<28} {:>10.2} {:>10.2} {:>10.2} {:>16.3}",
            case.0,
            millis(median),
            millis(percentile(sorted, 0.1)),
            millis(percentile(sorted, 0.9)),
            median.as_secs_f64() / reference.as_secs_f64()
        );
    }
    let locked = locked_login_median(&runtime, rounds);
    println!(
        "{:<28} {:>10.3} (429 before any hashing; {:.0}x faster than a wrong password)",
        "locked username",
        millis(locked),
        reference.as_secs_f64() / locked.as_secs_f64()
    );
    let migrated = migrated_first_login_median(&runtime, rounds.clamp(5, 20));
    println!(
        "{:<28} {:>10.2} (a Django pbkdf2_sha256 hash at 1,000,000 iterations, then re-hashed)",
        "migrated user, first login",
        millis(migrated),
    );
    let medians: Vec<f64> = samples[..3]
        .iter()
        .map(|s| percentile(s, 0.5).as_secs_f64())
        .collect();
    let spread = medians.iter().cloned().fold(f64::MIN, f64::max)
        / medians.iter().cloned().fold(f64::MAX, f64::min);
    println!(
        "failure cases: slowest median / fastest median = {spread:.3} ({} the 1.10 bound)",
        if spread <= 1.10 { "within" } else { "OUTSIDE" }
    );
}

/// The median time of a login for a username locked by failed logins (default policy).
fn locked_login_median(runtime: &tokio::runtime::Runtime, rounds: usize) -> Duration {
    let ctx = Ctx::new(MemoryStore::new(), Settings::default());
    runtime.block_on(async {
        let now = authtoken::clock::now();
        let gate = authtoken::store::AttemptGate {
            now,
            threshold: u32::MAX,
            unlocked_before: 0,
            source: None,
            account_threshold: u32::MAX,
            forget_at: now + 3600,
        };
        for _ in 0..ctx.settings.lockout.threshold + 10 {
            ctx.store
                .count_attempt("mallory", &gate)
                .await
                .expect("an attempt");
        }
    });
    let mut samples: Vec<Duration> = (0..rounds.max(10))
        .map(|_| {
            let started = Instant::now();
            let response =
                runtime.block_on(handlers::login(&ctx, login_request("mallory", "guess")));
            let elapsed = started.elapsed();
            assert_eq!(response.status().as_u16(), 429, "locked");
            elapsed
        })
        .collect();
    samples.sort_unstable();
    percentile(&samples, 0.5)
}

/// Made by Django 5.2: `make_password("alice's password")` (pbkdf2_sha256, 1,000,000
/// iterations).
const DJANGO_HASH: &str =
    "pbkdf2_sha256$1000000$wCQvcnPbwDDWmlqBLf50VF$vNd/t1xgRuOSrY4KwTCUMlu2/RFNJjjY675lYTwKx1c=";

/// The median time of the first login of a user imported with [`DJANGO_HASH`]: a fresh user
/// each time, since the login replaces the hash.
fn migrated_first_login_median(runtime: &tokio::runtime::Runtime, rounds: usize) -> Duration {
    let ctx = Ctx::new(MemoryStore::new(), Settings::default());
    let mut samples: Vec<Duration> = (0..rounds)
        .map(|round| {
            let name = format!("alice{round}");
            runtime.block_on(async {
                let user = authtoken::store::User {
                    username: name.clone(),
                    password_hash: DJANGO_HASH.to_owned(),
                    active: true,
                    per_user_token: None,
                    per_login_tokens: Vec::new(),
                    created: 0,
                    credentials: 0,
                    id: None,
                    email: String::new(),
                    link_nonce: None,
                    awaiting_activation: false,
                };
                assert!(ctx.store.create_user(&user).await.expect("user"));
            });
            let started = Instant::now();
            let response = runtime.block_on(handlers::login(
                &ctx,
                login_request(&name, "alice's password"),
            ));
            let elapsed = started.elapsed();
            assert_eq!(response.status().as_u16(), 200, "migrated login");
            elapsed
        })
        .collect();
    samples.sort_unstable();
    percentile(&samples, 0.5)
}
