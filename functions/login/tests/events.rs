//! The `login` binary, built and run unchanged under a Lambda Runtime API stand-in, answers every
//! `events/login-*.json` as expected, against DynamoDB (moto).

#[tokio::test]
async fn every_login_event_gets_its_expected_answer() {
    let ran = testkit::events::run_through_function("login", env!("CARGO_BIN_EXE_login")).await;
    assert!(ran > 0);
}
