//! The `example` binary, built and run unchanged under a Lambda Runtime API stand-in, answers
//! every `events/example-*.json` as expected: the username the authorizer handed it, or the
//! contract's 401 when no authorizer stood in front of it.

#[tokio::test]
async fn every_example_event_gets_its_expected_answer() {
    let ran = testkit::events::run_through_function("example", env!("CARGO_BIN_EXE_example")).await;
    assert!(ran > 0);
}
