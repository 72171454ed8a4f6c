//! The `logout` binary, built and run unchanged under a Lambda Runtime API stand-in, answers every
//! `events/logout-*.json` as expected, against DynamoDB (moto).

#[tokio::test]
async fn every_logout_event_gets_its_expected_answer() {
    let ran = testkit::events::run_through_function("logout", env!("CARGO_BIN_EXE_logout")).await;
    assert!(ran > 0);
}
