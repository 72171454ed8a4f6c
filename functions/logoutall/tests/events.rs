//! The `logoutall` binary, built and run unchanged under a Lambda Runtime API stand-in, answers
//! every `events/logoutall-*.json` as expected, against DynamoDB (moto).

#[tokio::test]
async fn every_logoutall_event_gets_its_expected_answer() {
    let ran =
        testkit::events::run_through_function("logoutall", env!("CARGO_BIN_EXE_logoutall")).await;
    assert!(ran > 0);
}
