//! The login lockout's cases, each a function of the app it runs on (memory store, DynamoDB,
//! `authtoken serve` over HTTP), declared for each with [`lockout_suite!`](crate::lockout_suite).
//! What a client sees of a locked username: DRF's `Throttled` answer, 429 with
//! `{"detail": "Request was throttled. Expected available in N seconds."}` and `Retry-After: N`,
//! for every login of that name, right password or wrong, user or not.

use std::sync::Arc;
use std::time::{Duration, Instant};

use authtoken::config::Settings;
use authtoken::lockout::LockoutPolicy;
use serde_json::json;

use crate::app::{ADMIN, TestApp, TestRequest, TestResponse, drf_settings};

/// Declares, in a module named `$module`, one test per lockout case, each on an app that `$make`
/// builds from the case's settings (`async fn(Settings) -> TestApp`).
#[macro_export]
macro_rules! lockout_suite {
    ($module:ident, $make:expr) => {
        mod $module {
            $crate::lockout_suite!(@case $make, $crate::lockout::long_locks;
                the_threshold_locks_the_name_for_right_and_wrong_passwords,
                unknown_and_existing_names_get_identical_answers,
                a_success_resets_the_count,
                a_burst_of_guesses_is_verified_at_most_threshold_times,
            );
            $crate::lockout_suite!(@case $make, $crate::lockout::short_locks;
                each_failure_past_the_threshold_doubles_the_lock_up_to_the_maximum,
            );
            $crate::lockout_suite!(@case $make, $crate::lockout::wide_threshold;
                concurrent_failures_each_count,
            );
            $crate::lockout_suite!(@case $make, $crate::lockout::few_per_source;
                a_source_that_sprays_names_is_refused_after_its_allowance,
            );
        }
    };
    (@case $make:expr, $settings:path; $($name:ident,)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let app = ($make)($settings()).await;
                $crate::lockout::$name(app).await
            }
        )*
    };
}

/// Threshold 3, locks of a minute: no case waits for one to end.
pub fn long_locks() -> Settings {
    with_policy(LockoutPolicy {
        threshold: 3,
        base_seconds: 60,
        max_seconds: 600,
        ..LockoutPolicy::default()
    })
}

/// Threshold 2, locks of 2 s doubling to at most 4 s: the growth case waits them out.
pub fn short_locks() -> Settings {
    with_policy(LockoutPolicy {
        threshold: 2,
        base_seconds: 2,
        max_seconds: 4,
        ..LockoutPolicy::default()
    })
}

/// Threshold 3 per name, 6 from any sources; [`SOURCE_ALLOWANCE`] attempts per source an hour.
pub fn few_per_source() -> Settings {
    with_policy(LockoutPolicy {
        threshold: 3,
        base_seconds: 60,
        max_seconds: 600,
        account_threshold: 6,
        source_threshold: SOURCE_ALLOWANCE,
        source_window_seconds: 3600,
    })
}

/// Login attempts one source may make in [`few_per_source`].
pub const SOURCE_ALLOWANCE: u32 = 8;

/// Threshold [`CONCURRENT_FAILURES`]: reached only if every concurrent failure counts.
pub fn wide_threshold() -> Settings {
    with_policy(LockoutPolicy {
        threshold: CONCURRENT_FAILURES as u32,
        base_seconds: 60,
        max_seconds: 600,
        ..LockoutPolicy::default()
    })
}

fn with_policy(lockout: LockoutPolicy) -> Settings {
    Settings {
        lockout,
        ..drf_settings()
    }
}

/// Concurrent wrong logins of one name in [`concurrent_failures_each_count`].
pub const CONCURRENT_FAILURES: usize = 8;

fn login(username: &str, password: &str) -> TestRequest {
    TestRequest::post("/api-token-auth/")
        .json(&json!({ "username": username, "password": password }))
}

/// Asserts DRF's throttled answer with the login's headers; returns its wait in seconds.
#[track_caller]
fn assert_throttled(answer: &TestResponse) -> u64 {
    assert_eq!(answer.status, 429, "{}", answer.text());
    let wait: u64 = answer
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After in {:?}", answer.headers));
    let unit = if wait == 1 { "second" } else { "seconds" };
    assert_eq!(
        answer.json(),
        json!({ "detail": format!("Request was throttled. Expected available in {wait} {unit}.") })
    );
    assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(answer.header("allow").as_deref(), Some("POST, OPTIONS"));
    answer.assert_json_headers();
    wait
}

#[track_caller]
fn assert_bad_credentials(answer: &TestResponse) {
    answer.assert(
        400,
        json!({ "non_field_errors": ["Unable to log in with provided credentials."] }),
    );
}

/// Asserts that `wait` is what remains of a lock of `seconds` set by a request sent at `since`:
/// at most `seconds`, and at least what the time since leaves of it (whole seconds, one of
/// rounding), however slowly a busy machine ran the requests in between.
#[track_caller]
fn assert_remaining(wait: u64, seconds: u64, since: Instant) {
    let least = seconds.saturating_sub(since.elapsed().as_secs() + 1);
    assert!(
        (least..=seconds).contains(&wait),
        "{wait} s left of a {seconds} s lock set {:?} ago",
        since.elapsed()
    );
}

/// Three failures lock the name: the next logins, even with the right password, get 429.
pub async fn the_threshold_locks_the_name_for_right_and_wrong_passwords(app: TestApp) {
    let mut locked = Instant::now();
    for _ in 0..3 {
        locked = Instant::now();
        assert_bad_credentials(&app.send(login(ADMIN.0, "wrong")).await);
    }
    for password in [ADMIN.1, "wrong"] {
        let wait = assert_throttled(&app.send(login(ADMIN.0, password)).await);
        assert_remaining(wait, 60, locked);
    }
    // Other names are not affected.
    app.login(crate::app::BOB).await;
}

/// A name that is not a user is counted and locked exactly like one that is.
pub async fn unknown_and_existing_names_get_identical_answers(app: TestApp) {
    let mut answers = Vec::new();
    for name in [ADMIN.0, "nobody-at-all"] {
        let mut seen = Vec::new();
        for _ in 0..4 {
            let answer = app.send(login(name, "wrong")).await;
            let mut headers: Vec<(String, Vec<u8>)> = answer
                .headers
                .iter()
                .filter(|(header, _)| !matches!(header.as_str(), "date" | "retry-after"))
                .cloned()
                .collect();
            headers.sort();
            // The wait's second may tick between the two names: compare the answers without it.
            let text = answer.text();
            let body = text
                .split("Expected available in")
                .next()
                .unwrap_or_default()
                .to_owned();
            seen.push((answer.status, body, headers));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0][3].0, 429);
}

/// Failures below the threshold are forgotten at a successful login.
pub async fn a_success_resets_the_count(app: TestApp) {
    for _ in 0..3 {
        for _ in 0..2 {
            assert_bad_credentials(&app.send(login(ADMIN.0, "wrong")).await);
        }
        app.login(ADMIN).await;
    }
}

/// Threshold 2, base 2 s, at most 4 s: a 2 s lock, then 4 s, then 4 s again (the maximum).
pub async fn each_failure_past_the_threshold_doubles_the_lock_up_to_the_maximum(app: TestApp) {
    // The failure that sets each lock: the second here, then each one after a lock ended.
    let mut locked = Instant::now();
    for _ in 0..2 {
        locked = Instant::now();
        assert_bad_credentials(&app.send(login(ADMIN.0, "wrong")).await);
    }
    for lock in [2, 4, 4] {
        let wait = assert_throttled(&app.send(login(ADMIN.0, "wrong")).await);
        // 2 s, doubled to 4 s, then held at the 4 s maximum.
        assert_remaining(wait, lock, locked);
        // Wait the lock out (whole seconds: its end may be up to a second nearer than said).
        tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(200)).await;
        locked = Instant::now();
        let mut answer = app.send(login(ADMIN.0, "wrong")).await;
        for _ in 0..10 {
            if answer.status != 429 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            locked = Instant::now();
            answer = app.send(login(ADMIN.0, "wrong")).await;
        }
        assert_bad_credentials(&answer);
    }
}

/// Concurrent failures each count: exactly the threshold of them, at once, lock the name.
pub async fn concurrent_failures_each_count(app: TestApp) {
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..CONCURRENT_FAILURES)
        .map(|_| {
            let app = Arc::clone(&app);
            tokio::spawn(async move { app.send(login(ADMIN.0, "wrong")).await })
        })
        .collect();
    for task in tasks {
        assert_bad_credentials(&crate::app::within(120, task).await.expect("login task"));
    }
    assert_throttled(&app.send(login(ADMIN.0, ADMIN.1)).await);
}

/// Concurrent guesses in [`a_burst_of_guesses_is_verified_at_most_threshold_times`].
pub const BURST: usize = 30;

/// A burst of concurrent guesses for one name, the right password among them: each is counted
/// before its password is checked, so only the threshold's number (3) are verified and answered
/// (400, or 200 for the right one if it is among them); every other one is refused 429 unchecked.
pub async fn a_burst_of_guesses_is_verified_at_most_threshold_times(app: TestApp) {
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..BURST)
        .map(|index| {
            let app = Arc::clone(&app);
            let password = if index == BURST / 2 { ADMIN.1 } else { "wrong" };
            tokio::spawn(async move { app.send(login(ADMIN.0, password)).await })
        })
        .collect();
    let mut verified = Vec::new();
    for task in tasks {
        let answer = crate::app::within(120, task).await.expect("login task");
        match answer.status {
            429 => {
                assert_throttled(&answer);
            }
            200 => verified.push(200),
            _ => {
                assert_bad_credentials(&answer);
                verified.push(400);
            }
        }
    }
    assert_eq!(verified.len(), 3, "verified {verified:?} of {BURST}");
}

/// One source trying one password across many names (password spraying): each name stays below
/// its own threshold, but the source is refused, before any hashing, once it has made its
/// allowance of failed attempts in the window, whatever the name (right password included);
/// successes give their attempt back. Over HTTP the source is the test's own address.
pub async fn a_source_that_sprays_names_is_refused_after_its_allowance(app: TestApp) {
    let sprayer = "203.0.113.66";
    // A success gives its attempt back: it does not use the allowance up.
    for _ in 0..3 {
        let answer = app.send(login(ADMIN.0, ADMIN.1).from_source(sprayer)).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
    }
    for index in 0..SOURCE_ALLOWANCE {
        assert_bad_credentials(
            &app.send(login(&format!("user{index}"), "Summer2026!").from_source(sprayer))
                .await,
        );
    }
    let wait = assert_throttled(&app.send(login(ADMIN.0, ADMIN.1).from_source(sprayer)).await);
    assert!((1..=3600).contains(&wait), "{wait}");
    if !app.is_http() {
        // Another source is not affected.
        let answer = app
            .send(login(ADMIN.0, ADMIN.1).from_source("198.51.100.9"))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text());
    }
}
