//! The `authorizer` binary, built and run unchanged under a Lambda Runtime API stand-in, decides
//! every `events/authorizer-*.json` as expected, against DynamoDB (moto).

#[tokio::test]
async fn every_authorizer_event_gets_its_expected_decision() {
    let ran =
        testkit::events::run_through_function("authorizer", env!("CARGO_BIN_EXE_authorizer")).await;
    assert!(ran > 0);
}
