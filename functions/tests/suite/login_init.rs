//! The login seals and opens per-user keys: without the seal secret it stops at init, naming
//! the variable, rather than failing its first login.

use authtoken::manifest::settings::SEAL_SECRET;
use testkit::runtime_api::{FunctionProcess, RuntimeApi};

#[tokio::test]
async fn without_the_seal_secret_it_stops_at_init_naming_it() {
    let store = testkit::events::store_with_event_user().await;
    let env: Vec<_> = testkit::events::function_env(&store, testkit::dynamo::endpoint())
        .into_iter()
        .filter(|(name, _)| *name != SEAL_SECRET.var)
        .collect();
    let api = RuntimeApi::start().await;
    let mut process = FunctionProcess::spawn(&crate::binary("login"), &api, &env);
    let log = process.stopped_at_init(SEAL_SECRET.var).await;
    assert!(
        log.iter()
            .any(|line| line.contains("TOKEN_SEAL_SECRET is not set")),
        "{log:#?}"
    );
}
