//! The context every handler runs with: the store and the settings, built once per process.

use crate::config::{ConfigError, Settings};
use crate::mail::Mailbox;
use crate::store::dynamo::DynamoStore;
use crate::store::dynamo::Tables;

/// What every handler needs: the store, the settings and where mail requests go. Built once
/// per process and lent to every request, so warm Lambda invocations reuse the DynamoDB client.
#[derive(Debug)]
pub struct Ctx<S> {
    /// Where users and tokens live.
    pub store: S,
    /// Behaviour settings.
    pub settings: Settings,
    /// Where an endpoint that sends email posts its request (nowhere, unless set).
    pub mailbox: Mailbox,
}

impl<S> Ctx<S> {
    /// A context on `store` with `settings`, posting no mail.
    pub fn new(store: S, settings: Settings) -> Self {
        Self {
            store,
            settings,
            mailbox: Mailbox::Off,
        }
    }

    /// This context, posting mail requests to `mailbox`.
    pub fn with_mailbox(self, mailbox: Mailbox) -> Self {
        Self { mailbox, ..self }
    }
}

impl Ctx<DynamoStore> {
    /// The Lambda functions' context: settings and table names from the environment, and a
    /// DynamoDB client configured from the variables Lambda sets
    /// ([`DynamoStore::from_lambda_env`]).
    pub fn from_lambda_env() -> Result<Self, ConfigError> {
        Ok(Self::new(
            DynamoStore::from_lambda_env(Tables::from_env()?)?,
            Settings::from_env()?,
        ))
    }

    /// [`Ctx::from_lambda_env`] with a store that seals keys
    /// ([`DynamoStore::from_lambda_env_sealing`]): the login's.
    pub fn from_lambda_env_sealing() -> Result<Self, ConfigError> {
        Ok(Self::new(
            DynamoStore::from_lambda_env_sealing(Tables::from_env()?)?,
            Settings::from_env()?,
        ))
    }
}
