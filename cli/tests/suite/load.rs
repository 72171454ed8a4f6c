//! A short bounded load on `authtoken serve`, memory and DynamoDB: many concurrent clients, and
//! not one failed request. (For figures, run `bash scripts/load.sh`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use std::process::Command;
use std::time::Duration;

use testkit::load::{self, Load, Scenario};
use testkit::serve::ServeProcess;

const CLIENTS: usize = 8;

fn serve_command(extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_authtoken"));
    command.args(["serve", "--addr", "127.0.0.1:0"]).args(extra);
    for index in 1..=CLIENTS {
        command
            .arg("--user")
            .arg(format!("{}:{}", load::username(index), load::PASSWORD));
    }
    command
}

async fn assert_no_errors(server: ServeProcess) {
    let report = load::run(Load {
        addr: server.addr(),
        clients: CLIENTS,
        duration: Duration::from_secs(2),
        max_requests: 20_000,
        scenario: Scenario::Mixed,
    })
    .await;
    assert!(!report.whoami.latencies.is_empty(), "{}", report.table());
    assert!(!report.login.latencies.is_empty(), "{}", report.table());
    assert_eq!(report.errors(), 0, "{}", report.table());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_on_the_memory_store_see_no_errors() {
    assert_no_errors(ServeProcess::spawn(serve_command(&[])).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_on_dynamodb_see_no_errors() {
    let store = testkit::dynamo::fresh_store().await;
    let mut command = serve_command(&["--dynamodb"]);
    command
        .env("USERS_TABLE", &store.tables().users)
        .env("TOKENS_TABLE", &store.tables().tokens)
        .env("LOCKOUTS_TABLE", &store.tables().lockouts)
        .env("AWS_ENDPOINT_URL_DYNAMODB", testkit::dynamo::endpoint())
        .env("AWS_REGION", testkit::dynamo::REGION)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    assert_no_errors(ServeProcess::spawn(command).await).await;
}
