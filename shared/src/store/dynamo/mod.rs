//! The DynamoDB store: a users table keyed by `username` and a tokens table keyed by the key's
//! digest (see docs/ARCHITECTURE.md, Data model). Reads are strongly consistent; every write that touches
//! both tables is one `TransactWriteItems` with conditions.

mod errors;
pub mod https;
pub mod items;
pub mod tables;

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::Region;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};

use self::errors::{Cancellation, cancellation, classify};
use self::items::{
    ACTIVE, CREATED, DIGEST, EXPIRES, OWNER, PASSWORD, TOKEN, TOKEN_EXPIRES, USERNAME, n, s,
};
use super::{NewToken, Store, StoreError, TokenRecord, User, UserPage};
use crate::config::{ConfigError, Tables};
use crate::token::{TokenDigest, TokenKey};

/// Attempts per request, the first included (the SDK's standard retry with backoff).
pub const MAX_ATTEMPTS: u32 = 3;
/// Time allowed to open a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Time allowed for one attempt.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// Time allowed for a whole operation, retries included: well inside the functions' timeouts.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(5);

/// Users and tokens in two DynamoDB tables.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    tables: Tables,
}

impl DynamoStore {
    /// A store over `tables`, using an existing client.
    pub fn new(client: Client, tables: Tables) -> Self {
        Self { client, tables }
    }

    /// A store over `tables` for a Lambda function: the client is configured from the
    /// environment Lambda sets (`AWS_REGION`, the role's `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`) plus `AWS_ENDPOINT_URL_DYNAMODB` if set
    /// and not empty (template.yaml declares it empty, for `sam local invoke --env-vars`), with
    /// the retry and timeout limits above, over [`https::https_client`] with the roots
    /// [`https::TrustedRoots::from_env`] picks. Nothing else is probed or read: no profile files,
    /// no instance metadata, no certificate files unless asked for, which keeps start-up short.
    pub fn from_lambda_env(tables: Tables) -> Result<Self, ConfigError> {
        let region = std::env::var("AWS_REGION")
            .ok()
            .filter(|region| !region.trim().is_empty())
            .ok_or(ConfigError::Missing("AWS_REGION"))?;
        let mut config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region))
            .credentials_provider(EnvironmentVariableCredentialsProvider::new())
            .http_client(https::https_client(https::TrustedRoots::from_env()?)?)
            .retry_config(retry_config())
            .timeout_config(timeout_config());
        if let Some(endpoint) = endpoint_override(std::env::var("AWS_ENDPOINT_URL_DYNAMODB").ok()) {
            config = config.endpoint_url(endpoint);
        }
        Ok(Self::new(Client::from_conf(config.build()), tables))
    }

    /// The SDK client, for administration (table creation).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The table names.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<bool, StoreError> {
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(error) => match error.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    let codes = cancelled.cancellation_reasons().iter().map(|r| r.code());
                    match cancellation(codes) {
                        Cancellation::ConditionNotMet => Ok(false),
                        Cancellation::Transient => Err(StoreError::Unavailable(Box::new(error))),
                        Cancellation::Failed => Err(StoreError::Failed(Box::new(error))),
                    }
                }
                _ => Err(classify(error)),
            },
        }
    }
}

/// The condition "the user exists and holds exactly `current` (`None`: no token)", over the
/// names `#username` and `#token`, and the value of its `:current` placeholder, if it has one.
fn holds_exactly(current: Option<&TokenKey>) -> (&'static str, Option<AttributeValue>) {
    match current {
        Some(key) => (
            "attribute_exists(#username) AND #token = :current",
            Some(s(key.expose())),
        ),
        None => (
            "attribute_exists(#username) AND attribute_not_exists(#token)",
            None,
        ),
    }
}

impl DynamoStore {
    /// A transaction step that deletes the record of `key` (no condition: it may be gone).
    fn delete_token_record(&self, key: &TokenKey) -> Result<TransactWriteItem, StoreError> {
        let delete = built(
            Delete::builder()
                .table_name(&self.tables.tokens)
                .key(DIGEST, s(key.digest().as_str()))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }
}

/// The AWS SDK configuration shared by every client this project builds.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config())
        .timeout_config(timeout_config())
        .load()
        .await
}

/// Standard retries (exponential backoff with jitter), [`MAX_ATTEMPTS`] attempts in all.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS)
}

/// [`CONNECT_TIMEOUT`], [`ATTEMPT_TIMEOUT`] and [`OPERATION_TIMEOUT`].
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

fn built<T>(result: Result<T, aws_sdk_dynamodb::error::BuildError>) -> Result<T, StoreError> {
    result.map_err(|error| StoreError::Failed(Box::new(error)))
}

fn bad_item(error: items::ItemError) -> StoreError {
    StoreError::Failed(Box::new(error))
}

impl Store for DynamoStore {
    async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.tables.users)
            .key(USERNAME, s(username))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        output
            .item()
            .map(items::user_from_item)
            .transpose()
            .map_err(bad_item)
    }

    async fn token(&self, digest: &TokenDigest) -> Result<Option<TokenRecord>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.tables.tokens)
            .key(DIGEST, s(digest.as_str()))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        output
            .item()
            .map(items::token_from_item)
            .transpose()
            .map_err(bad_item)
    }

    async fn create_user(&self, user: &User) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.tables.users)
            .set_item(Some(items::user_item(user)))
            .condition_expression("attribute_not_exists(#username)")
            .expression_attribute_names("#username", USERNAME)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) => match error.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(_)) => Ok(false),
                _ => Err(classify(error)),
            },
        }
    }

    async fn install_token(
        &self,
        username: &str,
        token: &NewToken,
        replacing: Option<&TokenKey>,
    ) -> Result<bool, StoreError> {
        let mut record = items::Item::from([
            (DIGEST.to_owned(), s(token.key.digest().as_str())),
            (OWNER.to_owned(), s(username)),
            (CREATED.to_owned(), n(token.created)),
        ]);
        if let Some(expires) = token.expires {
            record.insert(EXPIRES.to_owned(), n(expires));
        }
        let put = built(
            Put::builder()
                .table_name(&self.tables.tokens)
                .set_item(Some(record))
                .condition_expression("attribute_not_exists(#digest)")
                .expression_attribute_names("#digest", DIGEST)
                .build(),
        )?;

        let (holds, current) = holds_exactly(replacing);
        let mut update = Update::builder()
            .table_name(&self.tables.users)
            .key(USERNAME, s(username))
            .condition_expression(format!("{holds} AND #active = :true"))
            .expression_attribute_names("#username", USERNAME)
            .expression_attribute_names("#active", ACTIVE)
            .expression_attribute_names("#token", TOKEN)
            .expression_attribute_names("#token_expires", TOKEN_EXPIRES)
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":key", s(token.key.expose()));
        update = match token.expires {
            Some(expires) => update
                .update_expression("SET #token = :key, #token_expires = :expires")
                .expression_attribute_values(":expires", n(expires)),
            None => update.update_expression("SET #token = :key REMOVE #token_expires"),
        };
        if let Some(current) = current {
            update = update.expression_attribute_values(":current", current);
        }
        let mut writes = vec![
            TransactWriteItem::builder().put(put).build(),
            TransactWriteItem::builder()
                .update(built(update.build())?)
                .build(),
        ];
        if let Some(old) = replacing {
            writes.push(self.delete_token_record(old)?);
        }
        self.transact(writes).await
    }

    async fn delete_token(&self, username: &str, key: &TokenKey) -> Result<bool, StoreError> {
        let delete = built(
            Delete::builder()
                .table_name(&self.tables.tokens)
                .key(DIGEST, s(key.digest().as_str()))
                .condition_expression("#owner = :username")
                .expression_attribute_names("#owner", OWNER)
                .expression_attribute_values(":username", s(username))
                .build(),
        )?;
        let update = built(
            Update::builder()
                .table_name(&self.tables.users)
                .key(USERNAME, s(username))
                .update_expression("REMOVE #token, #token_expires")
                .condition_expression("#token = :key")
                .expression_attribute_names("#token", TOKEN)
                .expression_attribute_names("#token_expires", TOKEN_EXPIRES)
                .expression_attribute_values(":key", s(key.expose()))
                .build(),
        )?;
        self.transact(vec![
            TransactWriteItem::builder().delete(delete).build(),
            TransactWriteItem::builder().update(update).build(),
        ])
        .await
    }

    async fn set_active(
        &self,
        username: &str,
        active: bool,
        current_token: Option<&TokenKey>,
    ) -> Result<bool, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.tables.users)
            .key(USERNAME, s(username))
            .expression_attribute_names("#username", USERNAME)
            .expression_attribute_names("#active", ACTIVE)
            .expression_attribute_names("#token", TOKEN)
            .expression_attribute_values(":active", AttributeValue::Bool(active));
        let (holds, current) = holds_exactly(current_token);
        update = update.condition_expression(holds);
        if let Some(current) = current {
            update = update.expression_attribute_values(":current", current);
        }
        update = if active {
            update.update_expression("SET #active = :active")
        } else {
            update
                .update_expression("SET #active = :active REMOVE #token, #token_expires")
                .expression_attribute_names("#token_expires", TOKEN_EXPIRES)
        };
        let mut writes = vec![
            TransactWriteItem::builder()
                .update(built(update.build())?)
                .build(),
        ];
        if let (false, Some(key)) = (active, current_token) {
            writes.push(self.delete_token_record(key)?);
        }
        self.transact(writes).await
    }

    async fn delete_user(
        &self,
        username: &str,
        current_token: Option<&TokenKey>,
    ) -> Result<bool, StoreError> {
        let mut delete = Delete::builder()
            .table_name(&self.tables.users)
            .key(USERNAME, s(username))
            .expression_attribute_names("#username", USERNAME)
            .expression_attribute_names("#token", TOKEN);
        let (holds, current) = holds_exactly(current_token);
        delete = delete.condition_expression(holds);
        if let Some(current) = current {
            delete = delete.expression_attribute_values(":current", current);
        }
        let mut writes = vec![
            TransactWriteItem::builder()
                .delete(built(delete.build())?)
                .build(),
        ];
        if let Some(key) = current_token {
            writes.push(self.delete_token_record(key)?);
        }
        self.transact(writes).await
    }

    async fn list_users(&self, after: Option<&str>, limit: u32) -> Result<UserPage, StoreError> {
        let mut scan = self
            .client
            .scan()
            .table_name(&self.tables.users)
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .consistent_read(true);
        if let Some(after) = after {
            scan = scan.exclusive_start_key(USERNAME, s(after));
        }
        let output = scan.send().await.map_err(classify)?;
        let users = output
            .items()
            .iter()
            .map(items::user_from_item)
            .collect::<Result<Vec<_>, _>>()
            .map_err(bad_item)?;
        let next = match output
            .last_evaluated_key()
            .and_then(|key| key.get(USERNAME))
        {
            Some(AttributeValue::S(username)) => Some(username.clone()),
            _ => None,
        };
        Ok(UserPage { users, next })
    }

    async fn replace_password_hash(
        &self,
        username: &str,
        old_hash: &str,
        new_hash: &str,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key(USERNAME, s(username))
            .update_expression("SET #password = :new")
            .condition_expression("#password = :old")
            .expression_attribute_names("#password", PASSWORD)
            .expression_attribute_values(":new", s(new_hash))
            .expression_attribute_values(":old", s(old_hash))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(false),
                _ => Err(classify(error)),
            },
        }
    }
}

/// The endpoint to use instead of DynamoDB's regional one: `AWS_ENDPOINT_URL_DYNAMODB`'s value,
/// unless it is unset or blank (template.yaml declares the variable empty so that
/// `sam local invoke --env-vars` may set it; an empty value means "no override").
fn endpoint_override(value: Option<String>) -> Option<String> {
    value.filter(|endpoint| !endpoint.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::endpoint_override;

    #[test]
    fn an_unset_or_blank_endpoint_means_dynamodbs_own() {
        assert_eq!(endpoint_override(None), None);
        assert_eq!(endpoint_override(Some(String::new())), None);
        assert_eq!(endpoint_override(Some("  ".to_owned())), None);
    }

    #[test]
    fn a_set_endpoint_replaces_dynamodbs_own() {
        assert_eq!(
            endpoint_override(Some("http://host.docker.internal:5005".to_owned())).as_deref(),
            Some("http://host.docker.internal:5005")
        );
    }
}
