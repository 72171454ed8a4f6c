//! The context every handler runs with: the store and the settings, built once per process.

use crate::config::{ConfigError, Settings};
use crate::store::dynamo::DynamoStore;
use crate::store::dynamo::Tables;

/// What every handler needs: the store and the settings. Built once per process and lent to
/// every request, so warm Lambda invocations reuse the DynamoDB client.
#[derive(Debug)]
pub struct Ctx<S> {
    /// Where users and tokens live.
    pub store: S,
    /// Behaviour settings.
    pub settings: Settings,
}

impl Ctx<DynamoStore> {
    /// The Lambda functions' context: settings and table names from the environment, and a
    /// DynamoDB client configured from the variables Lambda sets
    /// ([`DynamoStore::from_lambda_env`]).
    pub fn from_lambda_env() -> Result<Self, ConfigError> {
        Ok(Self {
            settings: Settings::from_env()?,
            store: DynamoStore::from_lambda_env(Tables::from_env()?)?,
        })
    }

    /// [`Ctx::from_lambda_env`] with a store that seals keys
    /// ([`DynamoStore::from_lambda_env_sealing`]): the login's.
    pub fn from_lambda_env_sealing() -> Result<Self, ConfigError> {
        Ok(Self {
            settings: Settings::from_env()?,
            store: DynamoStore::from_lambda_env_sealing(Tables::from_env()?)?,
        })
    }
}
