//! The DynamoDB store: a users table keyed by `username` and a tokens table keyed by the key's
//! digest (see docs/ARCHITECTURE.md, Data model).
//!
//! - [`client`]: building the SDK client (retries, timeouts; the functions' from Lambda's
//!   environment), over [`https`]'s trust store;
//! - `operations`: the [`crate::store::Store`] implementation, with `import` for importing
//!   users in transactions of 50;
//! - [`items`]: the item layout, and conversions between items and the store's types;
//! - `errors`: sorting SDK failures into the store's error kinds;
//! - [`tables`]: the table definitions, for creating and checking tables.

pub mod client;
pub mod environment;
mod errors;
pub mod https;
mod import;
pub mod items;
mod operations;
pub mod tables;

pub use environment::{ClientEnv, Tables};

use std::sync::Arc;

use aws_sdk_dynamodb::Client;

use crate::config::ConfigError;
use crate::secrets::seal::Sealer;

/// Users and tokens in two DynamoDB tables.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    tables: Tables,
    sealer: Arc<Sealer>,
}

impl DynamoStore {
    /// A store over `tables`, using an existing client, that cannot seal per-user keys (see
    /// [`DynamoStore::with_sealer`]).
    pub fn new(client: Client, tables: Tables) -> Self {
        Self {
            client,
            tables,
            sealer: Arc::new(Sealer::unconfigured()),
        }
    }

    /// This store, sealing per-user keys with `sealer`.
    pub fn with_sealer(self, sealer: Sealer) -> Self {
        Self {
            sealer: Arc::new(sealer),
            ..self
        }
    }

    /// A store over `tables` for a Lambda function, with [`client::lambda_client`] built from
    /// the environment Lambda sets ([`ClientEnv`]); it cannot seal keys.
    pub fn from_lambda_env(tables: Tables) -> Result<Self, ConfigError> {
        let client = client::lambda_client(&ClientEnv::from_env()?)?;
        Ok(Self::new(client, tables))
    }

    /// [`DynamoStore::from_lambda_env`] sealing with the secret the environment names, if any
    /// ([`client::lambda_clients_sealing`]): the login's store.
    pub fn from_lambda_env_sealing(tables: Tables) -> Result<Self, ConfigError> {
        let (client, sealer) = client::lambda_clients_sealing(&ClientEnv::from_env()?)?;
        Ok(Self::new(client, tables).with_sealer(sealer))
    }

    /// The SDK client, for administration (table creation).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The table names.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }
}
