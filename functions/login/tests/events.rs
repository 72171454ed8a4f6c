//! The `login` binary, built and run unchanged under a Lambda Runtime API stand-in, answers every
//! `events/login-*.json` as expected, against DynamoDB (moto).

#[tokio::test]
async fn every_login_event_gets_its_expected_answer() {
    let ran = testkit::events::run_through_function("login", env!("CARGO_BIN_EXE_login")).await;
    assert!(ran > 0);
}

/// The login seals and opens per-user keys: without the seal secret it stops at init, naming
/// the variable, rather than failing its first login.
#[tokio::test]
async fn without_the_seal_secret_it_stops_at_init_naming_it() {
    use std::time::Duration;
    use testkit::runtime_api::{FunctionProcess, RuntimeApi};
    let store = testkit::events::store_with_event_user().await;
    let env: Vec<_> = testkit::events::function_env(&store, testkit::dynamo::endpoint())
        .into_iter()
        .filter(|(name, _)| *name != authtoken::seal::SEAL_SECRET_VAR)
        .collect();
    let api = RuntimeApi::start().await;
    let mut process = FunctionProcess::spawn(env!("CARGO_BIN_EXE_login"), &api, &env);
    let mut status = None;
    for _ in 0..100 {
        status = process.exit_status();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = status.expect("the function should stop at init within 10 s");
    assert!(!status.success());
    let log = process.log_when(Duration::from_secs(1), |lines| {
        lines.iter().any(|line| line.contains("TOKEN_SEAL_SECRET"))
    });
    assert!(
        log.iter()
            .any(|line| line.contains("TOKEN_SEAL_SECRET is not set")),
        "{log:#?}"
    );
}
