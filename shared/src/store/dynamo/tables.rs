//! Creating and checking the three tables as template.yaml defines them (keys, on-demand
//! billing, the users table's index by email address, TTL on `expires` for tokens and
//! lockouts), for local DynamoDB-compatible servers and tests.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableDescription, TimeToLiveSpecification,
    TimeToLiveStatus,
};

use super::errors::classify;
use super::items::{BY_EMAIL, DIGEST, EMAIL_KEY, EXPIRES, USERNAME};
use crate::store::StoreError;
use crate::store::dynamo::Tables;

/// Whether a table was made or found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creation {
    /// The table did not exist and was created.
    Created,
    /// A table of that name already existed; it was left as it is.
    AlreadyExists,
}

/// Creates the users, tokens and lockouts tables unless they exist, with TTL on `expires` for
/// the last two.
pub async fn create(client: &Client, tables: &Tables) -> Result<[Creation; 3], StoreError> {
    let users = create_table(client, &tables.users, USERNAME, Some(by_email()?)).await?;
    let tokens = create_table(client, &tables.tokens, DIGEST, None).await?;
    let lockouts = create_table(client, &tables.lockouts, USERNAME, None).await?;
    for (table, creation) in [(&tables.tokens, tokens), (&tables.lockouts, lockouts)] {
        if creation == Creation::Created {
            enable_ttl(client, table).await?;
        }
    }
    Ok([users, tokens, lockouts])
}

async fn enable_ttl(client: &Client, table: &str) -> Result<(), StoreError> {
    let ttl = built(
        TimeToLiveSpecification::builder()
            .attribute_name(EXPIRES)
            .enabled(true)
            .build(),
    )?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(ttl)
        .send()
        .await
        .map_err(classify)?;
    Ok(())
}

/// A string attribute's definition.
fn string_attribute(name: &str) -> Result<AttributeDefinition, StoreError> {
    built(
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build(),
    )
}

/// A partition key on `name`.
fn partition_key(name: &str) -> Result<KeySchemaElement, StoreError> {
    built(
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(KeyType::Hash)
            .build(),
    )
}

/// The users table's index: by folded email address, keys only.
fn by_email() -> Result<GlobalSecondaryIndex, StoreError> {
    built(
        GlobalSecondaryIndex::builder()
            .index_name(BY_EMAIL)
            .key_schema(partition_key(EMAIL_KEY)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::KeysOnly)
                    .build(),
            )
            .build(),
    )
}

async fn create_table(
    client: &Client,
    name: &str,
    key: &str,
    index: Option<GlobalSecondaryIndex>,
) -> Result<Creation, StoreError> {
    let mut create = client
        .create_table()
        .table_name(name)
        .attribute_definitions(string_attribute(key)?)
        .key_schema(partition_key(key)?)
        .billing_mode(BillingMode::PayPerRequest);
    if let Some(index) = index {
        for key in index.key_schema() {
            create = create.attribute_definitions(string_attribute(key.attribute_name())?);
        }
        create = create.global_secondary_indexes(index);
    }
    let result = create.send().await;
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

/// How `table` differs from having `wanted` (same name, key and projection), if it does.
fn index_difference(table: &TableDescription, wanted: &GlobalSecondaryIndex) -> Option<String> {
    let found = table
        .global_secondary_indexes()
        .iter()
        .find(|index| index.index_name() == Some(wanted.index_name()));
    let Some(index) = found else {
        return Some(format!(
            "it should have the index {:?} on {EMAIL_KEY:?} (keys only), but has none",
            wanted.index_name()
        ));
    };
    let key = index
        .key_schema()
        .first()
        .map(KeySchemaElement::attribute_name);
    let projection = index.projection().and_then(Projection::projection_type);
    (key != Some(EMAIL_KEY) || projection != Some(&ProjectionType::KeysOnly)).then(|| {
        format!(
            "its index {:?} should be on {EMAIL_KEY:?} with keys only, but is on {key:?} with \
             {projection:?}",
            wanted.index_name()
        )
    })
}

/// How one existing table differs from what template.yaml defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableCheck {
    /// The table matches.
    Matches,
    /// There is no table of that name.
    Missing,
    /// The table exists but differs; each entry says how.
    Differs(Vec<String>),
}

/// Compares the three tables with template.yaml's definitions.
pub async fn check(client: &Client, tables: &Tables) -> Result<[TableCheck; 3], StoreError> {
    let users = check_table(client, &tables.users, USERNAME, (None, Some(&by_email()?))).await?;
    let tokens = check_table(client, &tables.tokens, DIGEST, (Some(EXPIRES), None)).await?;
    let lockouts = check_table(client, &tables.lockouts, USERNAME, (Some(EXPIRES), None)).await?;
    Ok([users, tokens, lockouts])
}

/// Compares the table `name` with its definition: key, billing, and the TTL attribute and the
/// index it should have, if any.
async fn check_table(
    client: &Client,
    name: &str,
    key: &str,
    (ttl_attribute, index): (Option<&str>, Option<&GlobalSecondaryIndex>),
) -> Result<TableCheck, StoreError> {
    let description = match client.describe_table().table_name(name).send().await {
        Ok(output) => output.table,
        Err(error) => {
            return match error.as_service_error() {
                Some(DescribeTableError::ResourceNotFoundException(_)) => Ok(TableCheck::Missing),
                _ => Err(classify(error)),
            };
        }
    };
    let Some(table) = description else {
        return Ok(TableCheck::Missing);
    };
    let mut differences = Vec::new();
    let keys: Vec<(String, KeyType)> = table
        .key_schema()
        .iter()
        .map(|element| {
            (
                element.attribute_name().to_owned(),
                element.key_type().clone(),
            )
        })
        .collect();
    if keys != [(key.to_owned(), KeyType::Hash)] {
        differences.push(format!(
            "its key should be the partition key {key:?} alone, but is {keys:?}"
        ));
    }
    let key_type = table
        .attribute_definitions()
        .iter()
        .find(|definition| definition.attribute_name() == key)
        .map(|definition| definition.attribute_type().clone());
    if key_type != Some(ScalarAttributeType::S) {
        differences.push(format!(
            "{key:?} should be a string (S), but is {key_type:?}"
        ));
    }
    let billing = table
        .billing_mode_summary()
        .and_then(|summary| summary.billing_mode())
        .cloned()
        .unwrap_or(BillingMode::Provisioned);
    if billing != BillingMode::PayPerRequest {
        differences.push(format!(
            "billing should be PAY_PER_REQUEST, but is {billing}"
        ));
    }
    if let Some(difference) = index.and_then(|wanted| index_difference(&table, wanted)) {
        differences.push(difference);
    }
    if let Some(attribute) = ttl_attribute {
        let ttl = client
            .describe_time_to_live()
            .table_name(name)
            .send()
            .await
            .map_err(classify)?;
        let description = ttl.time_to_live_description();
        let enabled =
            description.and_then(|d| d.time_to_live_status()) == Some(&TimeToLiveStatus::Enabled);
        let on = description.and_then(|d| d.attribute_name());
        if !enabled || on != Some(attribute) {
            differences.push(format!(
                "TTL should be enabled on {attribute:?}, but is {} on {on:?}",
                if enabled { "enabled" } else { "not enabled" }
            ));
        }
    }
    Ok(if differences.is_empty() {
        TableCheck::Matches
    } else {
        TableCheck::Differs(differences)
    })
}
