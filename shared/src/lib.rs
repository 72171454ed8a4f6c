//! Django REST Framework's token authentication (`rest_framework.authtoken`), for AWS Lambda
//! behind API Gateway, with DynamoDB as the store.
//!
//! The crate's map:
//! - [`handlers`]: the three endpoints, `login`, `whoami`, `logout` (and `route` for the local
//!   server), as plain async functions from a request to a response;
//! - [`auth`]: what the endpoints do with the store: log in, authenticate, log out;
//! - [`admin`]: user and token administration for the command line, on the same write paths;
//! - [`form`], [`header`], [`media`]: parsing the login body, the `Authorization` header and
//!   media types with DRF's exact rules;
//! - [`password`], [`token`]: argon2id hashing and token keys;
//! - [`store`]: the `Store` trait, with DynamoDB and in-memory implementations;
//! - [`response`]: JSON responses and the mapping from failures to status codes;
//! - [`config`]: settings read once from the environment;
//! - [`logging`]: log setup that keeps secrets out of the logs at every level.

pub mod admin;
pub mod auth;
pub mod config;
pub mod form;
pub mod handlers;
pub mod header;
pub mod logging;
pub mod media;
pub mod password;
pub mod response;
pub mod store;
pub mod token;

use config::{ConfigError, Settings, Tables};
use store::dynamo::DynamoStore;

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
        let settings = Settings::from_env()?;
        let tables = Tables::from_env()?;
        Ok(Self {
            store: DynamoStore::from_lambda_env(tables)?,
            settings,
        })
    }
}
