//! The `whoami` binary, built and run unchanged under a Lambda Runtime API stand-in, answers every
//! `events/whoami-*.json` as expected, against DynamoDB (moto).

#[tokio::test]
async fn every_whoami_event_gets_its_expected_answer() {
    let ran = testkit::events::run_through_function("whoami", env!("CARGO_BIN_EXE_whoami")).await;
    assert!(ran > 0);
}
