//! Whether `POST /auth/users/reset_password/` tells who has an account by its timing: requests
//! for an address a user has and for one nobody has, sent alternately to `authtoken serve` over
//! HTTP, on the memory store and on DynamoDB (moto), and their median times compared. The
//! endpoint only queues the request (the mail worker does the rest after the answer), so the
//! ratio should be 1 within noise; the bar is 1.05.
//!
//! Run: `cargo bench -p authtoken-cli --bench reset_timing` with a local DynamoDB-compatible
//! server (`AWS_ENDPOINT_URL_DYNAMODB`; `bash scripts/bench.sh` starts one); BENCH_ROUNDS=N to
//! change the rounds (default 400 per address and store).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark: a failed expectation stops it where it happened"
)]

use std::time::{Duration, Instant};

use serde_json::json;
use testkit::app::TestRequest;
use testkit::cli::Admin;
use testkit::serve::ServeProcess;

const AUTHTOKEN: &str = env!("CARGO_BIN_EXE_authtoken");

fn reset(address: &str) -> TestRequest {
    TestRequest::post("/auth/users/reset_password/").json(&json!({ "email": address }))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

/// The median time of each address's requests, alternated, after a warm-up.
async fn measure(
    server: &ServeProcess,
    known: &str,
    unknown: &str,
    rounds: usize,
) -> (Duration, Duration) {
    let send = async |address: &str| {
        let started = Instant::now();
        let answer = testkit::http_client::send(server.addr(), &reset(address)).await;
        assert_eq!(answer.status, 204, "{}", answer.text());
        started.elapsed()
    };
    for _ in 0..20 {
        send(known).await;
        send(unknown).await;
    }
    let (mut known_times, mut unknown_times) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        // Alternate which goes first, so that neither always follows the other.
        if round % 2 == 0 {
            known_times.push(send(known).await);
            unknown_times.push(send(unknown).await);
        } else {
            unknown_times.push(send(unknown).await);
            known_times.push(send(known).await);
        }
    }
    (median(known_times), median(unknown_times))
}

/// `authtoken serve` with `extra` arguments and the user admin, who is given `known`.
async fn server_with_address(command: std::process::Command, known: &str) -> ServeProcess {
    let server = ServeProcess::spawn(command).await;
    let login = TestRequest::post("/api-token-auth/")
        .json(&json!({ "username": "admin", "password": "a password nobody guesses" }));
    let answer = testkit::http_client::send(server.addr(), &login).await;
    let key = answer.json()["token"].as_str().unwrap().to_owned();
    let patch = TestRequest::new("PATCH", "/auth/users/me/")
        .token(&key)
        .json(&json!({ "email": known }));
    assert_eq!(
        testkit::http_client::send(server.addr(), &patch)
            .await
            .status,
        200
    );
    server
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(400);
    let outbox = std::env::temp_dir().join("authtoken-reset-timing-outbox");
    let known = "known@example.com";
    let unknown = "nobody@example.com";
    println!("reset_password over HTTP, {rounds} requests per address, medians:");
    let admin = Admin::with_tables(AUTHTOKEN);
    for store in ["memory", "dynamodb"] {
        let mut command = if store == "dynamodb" {
            admin.command(&["serve", "--dynamodb"])
        } else {
            std::process::Command::new(AUTHTOKEN)
        };
        if store == "memory" {
            command.arg("serve");
        }
        command
            .args([
                "--addr",
                "127.0.0.1:0",
                "--user",
                "admin:a password nobody guesses",
            ])
            .arg("--outbox")
            .arg(&outbox);
        let server = server_with_address(command, known).await;
        let (known_time, unknown_time) = measure(&server, known, unknown, rounds).await;
        let ratio = known_time.as_secs_f64() / unknown_time.as_secs_f64();
        println!(
            "  {store:<8}  a user's address {:>7.3} ms  nobody's {:>7.3} ms  ratio {ratio:.3} ({})",
            known_time.as_secs_f64() * 1000.0,
            unknown_time.as_secs_f64() * 1000.0,
            if (1.0 / 1.05..=1.05).contains(&ratio) {
                "within 1.05"
            } else {
                "OUTSIDE 1.05"
            }
        );
    }
}
