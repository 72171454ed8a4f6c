//! Creating the two tables as template.yaml defines them (keys, on-demand billing, TTL on
//! `expires`), for local DynamoDB-compatible servers and tests.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};

use super::errors::classify;
use super::items::{DIGEST, EXPIRES, USERNAME};
use crate::config::Tables;
use crate::store::StoreError;

/// Whether a table was made or found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creation {
    /// The table did not exist and was created.
    Created,
    /// A table of that name already existed; it was left as it is.
    AlreadyExists,
}

/// Creates the users and tokens tables unless they exist, and turns on TTL for the tokens table.
pub async fn create(client: &Client, tables: &Tables) -> Result<[Creation; 2], StoreError> {
    let users = create_table(client, &tables.users, USERNAME).await?;
    let tokens = create_table(client, &tables.tokens, DIGEST).await?;
    if tokens == Creation::Created {
        let ttl = built(
            TimeToLiveSpecification::builder()
                .attribute_name(EXPIRES)
                .enabled(true)
                .build(),
        )?;
        client
            .update_time_to_live()
            .table_name(&tables.tokens)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(classify)?;
    }
    Ok([users, tokens])
}

async fn create_table(client: &Client, name: &str, key: &str) -> Result<Creation, StoreError> {
    let attribute = built(
        AttributeDefinition::builder()
            .attribute_name(key)
            .attribute_type(ScalarAttributeType::S)
            .build(),
    )?;
    let schema = built(
        KeySchemaElement::builder()
            .attribute_name(key)
            .key_type(KeyType::Hash)
            .build(),
    )?;
    let result = client
        .create_table()
        .table_name(name)
        .attribute_definitions(attribute)
        .key_schema(schema)
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    match result {
        Ok(_) => Ok(Creation::Created),
        Err(error) => match error.as_service_error() {
            Some(CreateTableError::ResourceInUseException(_)) => Ok(Creation::AlreadyExists),
            _ => Err(classify(error)),
        },
    }
}

fn built<T>(result: Result<T, BuildError>) -> Result<T, StoreError> {
    result.map_err(|error| StoreError::Failed(Box::new(error)))
}
