//! `authtoken serve` as a user meets it: start-up messages, bad arguments, Ctrl-C, its logs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use std::process::Command;

use serde_json::json;
use testkit::app::{TestApp, TestRequest};
use testkit::serve::ServeProcess;

fn authtoken() -> Command {
    Command::new(env!("CARGO_BIN_EXE_authtoken"))
}

#[tokio::test]
async fn it_says_the_store_is_in_memory_and_stops_cleanly_on_ctrl_c() {
    let mut command = authtoken();
    command.args(["serve", "--addr", "127.0.0.1:0", "--user", "admin:password"]);
    let process = ServeProcess::spawn(command).await;
    let app = TestApp::Http(process);
    let token = app.login(("admin", "password")).await;
    app.whoami(&token)
        .await
        .assert(200, json!({ "username": "admin" }));
    let TestApp::Http(process) = app else {
        unreachable!()
    };
    let (status, log) = process.interrupt();
    assert!(status.success(), "exit status {status}; log: {log:#?}");
    assert!(log.iter().any(|line| line.contains("stopped")), "{log:#?}");
}

#[tokio::test]
async fn it_warns_that_data_is_lost_at_exit() {
    let mut command = authtoken();
    command.args(["serve", "--addr", "127.0.0.1:0"]);
    let process = ServeProcess::spawn(command).await;
    let startup = process.startup_lines().join("\n");
    assert!(startup.contains("in-memory store"), "{startup}");
    assert!(
        startup.contains("lost when this process exits"),
        "{startup}"
    );
}

#[test]
fn a_malformed_user_argument_is_a_usage_error() {
    let output = authtoken()
        .args(["serve", "--user", "admin"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("expected NAME:PASSWORD"), "{stderr}");
}

#[test]
fn a_user_given_twice_is_refused() {
    let output = authtoken()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--user",
            "admin:a",
            "--user",
            "admin:b",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("a user named \"admin\" already exists"),
        "{stderr}"
    );
}

#[test]
fn an_address_in_use_is_reported() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = authtoken()
        .args(["serve", "--addr", &addr])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
}

#[tokio::test]
async fn prefixed_keys_are_issued_when_asked_for() {
    let mut command = authtoken();
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--user", "admin:pw"])
        .env("TOKEN_FORMAT", "prefixed");
    let app = TestApp::Http(ServeProcess::spawn(command).await);
    let token = app.login(("admin", "pw")).await;
    assert!(token.starts_with("atk_") && token.len() == 40, "{token}");
    app.whoami(&token)
        .await
        .assert(200, json!({ "username": "admin" }));
    // One character off: refused as an unknown key.
    let mistyped = format!(
        "{}{}",
        &token[..39],
        if token.ends_with('a') { 'b' } else { 'a' }
    );
    app.whoami(&mistyped).await.assert_401("Invalid token.");
}

#[test]
fn a_bad_token_format_names_the_variable() {
    let output = authtoken()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("TOKEN_FORMAT", "base64")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TOKEN_FORMAT is \"base64\""), "{stderr}");
}

#[test]
fn a_bad_ttl_names_the_variable() {
    let output = authtoken()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("TOKEN_TTL_SECONDS", "soon")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TOKEN_TTL_SECONDS is \"soon\""), "{stderr}");
}

#[tokio::test]
async fn neither_passwords_nor_keys_reach_the_log() {
    let password = "pw-9f8e7d6c";
    let mut command = authtoken();
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--user"])
        .arg(format!("admin:{password}"))
        .env("RUST_LOG", "trace");
    let app = TestApp::Http(ServeProcess::spawn(command).await);
    let token = app.login(("admin", password)).await;
    app.whoami(&token)
        .await
        .assert(200, json!({ "username": "admin" }));
    let wrong = "wrong-5a4b3c2d";
    let refused = app
        .send(
            TestRequest::post("/api-token-auth/")
                .json(&json!({ "username": "admin", "password": wrong })),
        )
        .await;
    assert_eq!(refused.status, 400);
    app.logout(&token)
        .await
        .assert(200, json!({ "username": null }));
    let TestApp::Http(process) = app else {
        unreachable!()
    };
    let (_, log) = process.interrupt();
    let log = log.join("\n");
    assert!(
        log.contains("event=\"token_issued\""),
        "the log was captured: {log}"
    );
    let digest = authtoken::secrets::token::TokenKey::new(token.as_str()).digest();
    for secret in [password, wrong, token.as_str(), digest.as_str()] {
        assert!(!log.contains(secret), "a secret reached the log");
    }
}
