//! The HTTP contract (docs/API.md) through `authtoken serve` as a process over real HTTP: every
//! case of testkit's contract suite (and of its lockout, policy and accounts suites), which `cargo test -p authtoken` runs on the handlers over
//! the memory store and over DynamoDB.

use authtoken::config::Settings;
use testkit::app::TestApp;

/// `authtoken serve` with the standard users.
async fn http(settings: Settings) -> TestApp {
    TestApp::http(env!("CARGO_BIN_EXE_authtoken"), settings).await
}

testkit::contract_suite!(http, crate::contract::http);
testkit::contract_suite!(per_login http_per_login, crate::contract::http);
testkit::lockout_suite!(lockout, crate::contract::http);
testkit::policy_suite!(policy, crate::contract::http);
testkit::accounts_suite!(accounts, crate::contract::http);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_token_is_refused_and_replaced_at_the_next_login() {
    let app = http(testkit::contract::short_lived_tokens()).await;
    testkit::contract::an_expired_token_is_refused_and_replaced_at_the_next_login(app).await;
}
