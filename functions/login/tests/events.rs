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
    use testkit::runtime_api::{FunctionProcess, RuntimeApi};
    let store = testkit::events::store_with_event_user().await;
    let env: Vec<_> = testkit::events::function_env(&store, testkit::dynamo::endpoint())
        .into_iter()
        .filter(|(name, _)| *name != authtoken::seal::SEAL_SECRET_VAR)
        .collect();
    let api = RuntimeApi::start().await;
    let mut process = FunctionProcess::spawn(env!("CARGO_BIN_EXE_login"), &api, &env);
    let log = process.stopped_at_init("TOKEN_SEAL_SECRET").await;
    assert!(
        log.iter()
            .any(|line| line.contains("TOKEN_SEAL_SECRET is not set")),
        "{log:#?}"
    );
}
