//! What every Lambda function does before its first event: logging, and the context built once
//! per sandbox (settings and the DynamoDB client), reused by every warm invocation.

use crate::config::ConfigError;
use crate::ctx::Ctx;
use crate::logging;
use crate::store::Store;
use crate::store::dynamo::DynamoStore;

/// Sets up logging from Lambda's variables and builds the context from the environment; a bad
/// setting is an error naming the variable, which stops the function at init.
pub fn init() -> Result<Ctx<DynamoStore>, ConfigError> {
    logging::init_lambda();
    Ctx::from_lambda_env()
}

/// [`init`] for the login function, which seals and opens per-user keys: the seal secret
/// ([`crate::seal::SEAL_SECRET_VAR`]) must be configured, or the function stops at init.
pub fn init_sealing() -> Result<Ctx<DynamoStore>, ConfigError> {
    logging::init_lambda();
    let ctx = Ctx::from_lambda_env_sealing()?;
    if !ctx.store.sealer().is_configured() {
        return Err(ConfigError::Missing(crate::seal::SEAL_SECRET_VAR));
    }
    Ok(ctx)
}
