//! `check-api ADDRESS`: runs the README's flow (login, whoami, logout), logout-all and the
//! authorizer's route against an API listening at `ADDRESS` (`127.0.0.1:3000`: `sam local
//! start-api` in front of the built functions), each step one of the tests' own cases, so that
//! the expected answers are written once. First adds the tests' users (`admin`, `bob`, `carol`)
//! to the tables the API uses, named by `USERS_TABLE`, `TOKENS_TABLE` and `LOCKOUTS_TABLE` on the
//! DynamoDB-compatible server at `AWS_ENDPOINT_URL_DYNAMODB` (created empty beforehand, as
//! `authtoken tables create` makes them). Prints one line per case; exits non-zero, with each
//! difference on standard error, if any case fails.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::ExitCode;
use std::time::Instant;

use authtoken::store::dynamo::{DynamoStore, Tables};
use testkit::app::TestApp;
use testkit::{contract, gateway, policy};

/// A case of the tests, run on an app.
type Case = fn(TestApp) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// The cases, in order: each leaves the users able to log in for the next.
const CASES: [(&str, Case); 5] = [
    ("login, whoami", |app| {
        Box::pin(contract::whoami_returns_the_username(app))
    }),
    ("logout", |app| {
        Box::pin(contract::logout_deletes_the_token(app))
    }),
    ("logout twice", |app| {
        Box::pin(contract::logout_twice_fails_the_second_time(app))
    }),
    ("logout-all", |app| {
        Box::pin(policy::logout_all_under_per_user_ends_the_one_token(app))
    }),
    ("the authorizer's route", |app| {
        Box::pin(gateway::the_authorizer_admits_live_tokens_only(app))
    }),
];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let Some(address) = std::env::args()
        .nth(1)
        .and_then(|address| address.parse::<SocketAddr>().ok())
    else {
        eprintln!("usage: check-api ADDRESS (such as 127.0.0.1:3000)");
        return ExitCode::from(2);
    };
    let tables = match Tables::from_env() {
        Ok(tables) => tables,
        Err(error) => {
            eprintln!("check-api: {error}");
            return ExitCode::from(2);
        }
    };
    // The server the API's functions use, wherever on this machine it listens (Docker's bridge
    // for `sam local`), reached with dummy credentials: never real AWS.
    let Some(endpoint) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .ok()
        .filter(|url| url.starts_with("http://"))
    else {
        eprintln!(
            "check-api: AWS_ENDPOINT_URL_DYNAMODB must name the local server (http://HOST:PORT)"
        );
        return ExitCode::from(2);
    };
    let store = DynamoStore::new(testkit::dynamo::client_via(&endpoint), tables);
    testkit::app::seed(&store).await;

    let mut failures = 0;
    for (name, case) in CASES {
        let started = Instant::now();
        // A case reports a difference by panicking: its message is on standard error.
        let passed = tokio::spawn(case(TestApp::Remote(address))).await.is_ok();
        let seconds = started.elapsed().as_secs_f64();
        let result = if passed { "ok" } else { "DIFFERENT" };
        println!("{name:<24} {seconds:>6.1} s  {result}");
        failures += usize::from(!passed);
    }
    if failures > 0 {
        eprintln!("check-api: {failures} of {} cases failed", CASES.len());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
