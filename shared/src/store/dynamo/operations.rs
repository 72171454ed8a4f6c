//! The [`Store`] operations as DynamoDB calls: strongly consistent reads, and conditional writes
//! where every change that touches both tables is one `TransactWriteItems`. A write whose
//! condition does not hold answers `Ok(false)`, so that the caller re-reads and decides again.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::builders::{DeleteBuilder, UpdateBuilder};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    KeysAndAttributes, ReturnValue, ReturnValuesOnConditionCheckFailure,
};

use super::DynamoStore;
use super::errors::{Cancellation, cancellation, classify};
use super::items::{
    self, ACTIVE, AWAITING_ACTIVATION, BY_EMAIL, CREDENTIALS, DIGEST, EMAIL, EMAIL_KEY, EXPIRES,
    FAILURES, ID, LAST_FAILURE, LAST_ID, LINK_NONCE, OWNER, PASSWORD, POINTS_TO, SOURCES, TOKEN,
    TOKEN_EXPIRES, TOKEN_SEALED, TOKENS, USER_IDS_KEY, USERNAME, s,
};
use crate::lockout::Failures;
use crate::secrets::seal::{KeptKey, Sealer};
use crate::secrets::token::TokenDigest;
use crate::store::{
    Attempt, AttemptGate, Extension, HashReplacement, ImportOutcome, Imported, Installation,
    IssuedChange, MAX_USERS_PER_ADDRESS, NewToken, PasswordChange, Rename, Reseal, Revoked, Store,
    StoreError, TOKENS_PER_STEP, TokenRecord, User, UserPage,
};

impl Store for DynamoStore {
    fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        let key = (USERNAME, s(username));
        self.read(&self.tables.users, key, items::user_from_item)
            .await
    }

    async fn user_and_failures(
        &self,
        username: &str,
    ) -> Result<(Option<User>, Option<Failures>), StoreError> {
        let key = HashMap::from([(USERNAME.to_owned(), s(username))]);
        let wanted = |table: &str| {
            let keys = built(
                KeysAndAttributes::builder()
                    .keys(key.clone())
                    .consistent_read(true)
                    .build(),
            )?;
            Ok::<_, StoreError>((table.to_owned(), keys))
        };
        let request = HashMap::from([wanted(&self.tables.users)?, wanted(&self.tables.lockouts)?]);
        let (mut user, mut failures) = (None, None);
        for (table, item) in self.batch_get(request).await? {
            if table == self.tables.users {
                user = Some(items::user_from_item(&item).map_err(bad_item)?);
            } else if table == self.tables.lockouts {
                failures = Some(items::failures_from_item(&item).map_err(bad_item)?);
            }
        }
        Ok((user, failures))
    }

    async fn count_attempt(
        &self,
        username: &str,
        gate: &AttemptGate<'_>,
    ) -> Result<Attempt, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.tables.lockouts)
            .key(USERNAME, s(username));
        update = match gate.source {
            Some(source) => update
                .update_expression(
                    "ADD #failures :one, #sources :source_set \
                     SET #last_failure = :now, #expires = :forget",
                )
                .condition_expression(
                    "attribute_not_exists(#failures) OR #failures < :threshold \
                     OR #last_failure <= :unlocked_before \
                     OR (NOT contains(#sources, :source) AND #failures < :account_threshold)",
                )
                .expression_attribute_names("#sources", SOURCES)
                .expression_attribute_values(
                    ":source_set",
                    AttributeValue::Ss(vec![source.to_owned()]),
                )
                .expression_attribute_values(":source", s(source))
                .expression_attribute_values(
                    ":account_threshold",
                    items::n(u64::from(gate.account_threshold)),
                ),
            None => update
                .update_expression(
                    "ADD #failures :one SET #last_failure = :now, #expires = :forget",
                )
                .condition_expression(
                    "attribute_not_exists(#failures) OR #failures < :threshold \
                     OR #last_failure <= :unlocked_before",
                ),
        };
        let result = update
            .expression_attribute_names("#failures", FAILURES)
            .expression_attribute_names("#last_failure", LAST_FAILURE)
            .expression_attribute_names("#expires", EXPIRES)
            .expression_attribute_values(":one", items::n(1))
            .expression_attribute_values(":now", items::n(gate.now))
            .expression_attribute_values(":forget", items::n(gate.forget_at))
            .expression_attribute_values(":threshold", items::n(u64::from(gate.threshold)))
            .expression_attribute_values(":unlocked_before", items::n(gate.unlocked_before))
            .return_values(ReturnValue::UpdatedNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(output) => {
                let updated = output.attributes.unwrap_or_default();
                let failures = items::failures_from_item(&updated).map_err(bad_item)?;
                Ok(Attempt::Counted(failures.count))
            }
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    let stored = failed.item().cloned().unwrap_or_default();
                    let failures = items::failures_from_item(&stored).map_err(bad_item)?;
                    Ok(Attempt::Locked(failures))
                }
                _ => Err(classify(error)),
            },
        }
    }

    async fn forgive_attempt(&self, key: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.tables.lockouts)
            .key(USERNAME, s(key))
            .update_expression("ADD #failures :minus_one")
            .condition_expression("#failures > :zero")
            .expression_attribute_names("#failures", FAILURES)
            .expression_attribute_values(":minus_one", AttributeValue::N("-1".to_owned()))
            .expression_attribute_values(":zero", items::n(0))
            .send()
            .await;
        written(result).map(drop)
    }

    async fn clear_failures(&self, username: &str) -> Result<bool, StoreError> {
        let output = self
            .client
            .delete_item()
            .table_name(&self.tables.lockouts)
            .key(USERNAME, s(username))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(classify)?;
        Ok(output.attributes.is_some_and(|item| !item.is_empty()))
    }

    async fn token(&self, digest: &TokenDigest) -> Result<Option<TokenRecord>, StoreError> {
        let key = (DIGEST, s(digest.as_str()));
        self.read(&self.tables.tokens, key, items::token_from_item)
            .await
    }

    async fn create_user(&self, user: &User) -> Result<bool, StoreError> {
        written(
            self.client
                .put_item()
                .table_name(&self.tables.users)
                .set_item(Some(items::user_item(user)))
                .condition_expression("attribute_not_exists(#username)")
                .expression_attribute_names("#username", USERNAME)
                .send()
                .await,
        )
    }

    async fn allocate_user_id(&self) -> Result<u64, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key(USERNAME, s(USER_IDS_KEY))
            .update_expression("ADD #last :one")
            .expression_attribute_names("#last", LAST_ID)
            .expression_attribute_values(":one", items::n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(classify)?;
        match output.attributes().and_then(|item| item.get(LAST_ID)) {
            Some(AttributeValue::N(text)) => text.parse().map_err(|_| bad_counter()),
            _ => Err(bad_counter()),
        }
    }

    async fn reserve_user_ids(&self, through: u64) -> Result<(), StoreError> {
        // Never lowered: a counter already past `through` is left as it is.
        written(
            self.client
                .update_item()
                .table_name(&self.tables.users)
                .key(USERNAME, s(USER_IDS_KEY))
                .update_expression("SET #last = :through")
                .condition_expression("attribute_not_exists(#last) OR #last < :through")
                .expression_attribute_names("#last", LAST_ID)
                .expression_attribute_values(":through", items::n(through))
                .send()
                .await,
        )
        .map(drop)
    }

    async fn assign_user_id(&self, username: &str, id: u64) -> Result<bool, StoreError> {
        written(
            self.client
                .update_item()
                .table_name(&self.tables.users)
                .key(USERNAME, s(username))
                .update_expression("SET #id = :id")
                .condition_expression("attribute_exists(#username) AND attribute_not_exists(#id)")
                .expression_attribute_names("#username", USERNAME)
                .expression_attribute_names("#id", ID)
                .expression_attribute_values(":id", items::n(id))
                .send()
                .await,
        )
    }

    async fn set_email(&self, username: &str, email: &str) -> Result<bool, StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key(USERNAME, s(username))
            .condition_expression("attribute_exists(#username)")
            .expression_attribute_names("#username", USERNAME)
            .expression_attribute_names("#email", EMAIL)
            .expression_attribute_names("#email_key", EMAIL_KEY);
        // No email is no attribute, as a new user's item has none (and no entry in the index).
        let update = if email.is_empty() {
            update.update_expression("REMOVE #email, #email_key")
        } else {
            update
                .update_expression("SET #email = :email, #email_key = :email_key")
                .expression_attribute_values(":email", s(email))
                .expression_attribute_values(":email_key", s(crate::email::folded(email)))
        };
        written(update.send().await)
    }

    async fn import_users(&self, users: &[Imported]) -> Result<Vec<ImportOutcome>, StoreError> {
        let mut outcomes = Vec::with_capacity(users.len());
        for chunk in users.chunks(super::import::CHUNK) {
            outcomes.extend(self.import_chunk(chunk).await?);
        }
        Ok(outcomes)
    }

    async fn install_token(&self, installation: Installation<'_>) -> Result<bool, StoreError> {
        let Installation {
            username,
            token,
            sealed,
            replacing,
            credentials,
        } = installation;
        let mut update = Update::builder()
            .table_name(&self.tables.users)
            .key(USERNAME, s(username))
            .holding_key(
                replacing,
                &format!(" AND #active = :true AND {}", credentials_are(credentials)),
            )
            .with_credentials(credentials)
            .expression_attribute_names("#active", ACTIVE)
            .expression_attribute_names("#token_expires", TOKEN_EXPIRES)
            .expression_attribute_names("#token_sealed", TOKEN_SEALED)
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":digest", s(token.key.digest().as_str()))
            .expression_attribute_values(":sealed", items::sealed_value(sealed));
        update = match token.expires {
            Some(expires) => update
                .update_expression(
                    "SET #token = :digest, #token_sealed = :sealed, #token_expires = :expires",
                )
                .expression_attribute_values(":expires", items::n(expires)),
            None => update.update_expression(
                "SET #token = :digest, #token_sealed = :sealed REMOVE #token_expires",
            ),
        };
        let mut writes = vec![
            self.put_token_record(username, token)?,
            TransactWriteItem::builder()
                .update(built(update.build())?)
                .build(),
        ];
        if let Some(old) = replacing {
            writes.push(self.delete_token_record(&old.digest())?);
        }
        self.transact(writes).await
    }

    async fn reseal_key(&self, reseal: Reseal<'_>) -> Result<bool, StoreError> {
        let Reseal {
            username,
            read,
            sealed,
        } = reseal;
        let answer = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key(USERNAME, s(username))
            .update_expression("SET #token = :digest, #token_sealed = :sealed")
            .condition_expression("#token = :read")
            .expression_attribute_names("#token", TOKEN)
            .expression_attribute_names("#token_sealed", TOKEN_SEALED)
            .expression_attribute_values(":read", s(read.stored()))
            .expression_attribute_values(":digest", s(read.digest().as_str()))
            .expression_attribute_values(":sealed", items::sealed_value(sealed))
            .send()
            .await;
        written(answer)
    }

    async fn update_issued(&self, read: &User, change: &IssuedChange) -> Result<bool, StoreError> {
        let mut writes = Vec::new();
        if let Some(token) = &change.new {
            writes.push(self.put_token_record(&read.username, token)?);
        }
        for digest in &change.pruned {
            writes.push(self.delete_token_record(digest)?);
        }
        let update = issued_update(read, change)
            .table_name(&self.tables.users)
            .key(USERNAME, s(&read.username));
        writes.push(
            TransactWriteItem::builder()
                .update(built(update.build())?)
                .build(),
        );
        self.transact(writes).await
    }

    async fn extend_token(&self, extension: Extension<'_>) -> Result<bool, StoreError> {
        let Extension {
            username,
            key,
            expires,
            per_login_first,
        } = extension;
        let digest = key.digest();
        let record = built(
            Update::builder()
                .table_name(&self.tables.tokens)
                .key(DIGEST, s(digest.as_str()))
                .update_expression("SET #expires = :expires")
                .condition_expression("#owner = :username AND #expires < :expires")
                .expression_attribute_names("#owner", OWNER)
                .expression_attribute_names("#expires", EXPIRES)
                .expression_attribute_values(":username", s(username))
                .expression_attribute_values(":expires", items::n(expires))
                .build(),
        )?;
        let on_user = Update::builder()
            .table_name(&self.tables.users)
            .key(USERNAME, s(username))
            .expression_attribute_values(":expires", items::n(expires));
        let per_login = built(
            on_user
                .clone()
                .update_expression("SET #tokens.#digest = :expires")
                .condition_expression("attribute_exists(#tokens.#digest)")
                .expression_attribute_names("#tokens", TOKENS)
                .expression_attribute_names("#digest", digest.as_str())
                .build(),
        )?;
        let per_user = built(
            on_user
                .update_expression("SET #token_expires = :expires")
                // A sealed key is kept as its digest, one from before sealing as itself.
                .condition_expression("#token IN (:digest, :key)")
                .expression_attribute_names("#token", TOKEN)
                .expression_attribute_names("#token_expires", TOKEN_EXPIRES)
                .expression_attribute_values(":digest", s(digest.as_str()))
                .expression_attribute_values(":key", s(key.expose()))
                .build(),
        )?;
        let mut places = [per_login, per_user];
        if !per_login_first {
            places.reverse();
        }
        for place in places {
            let writes = vec![
                TransactWriteItem::builder().update(record.clone()).build(),
                TransactWriteItem::builder().update(place).build(),
            ];
            if self.transact(writes).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn revoke_tokens(&self, username: &str, revoked: &Revoked) -> Result<bool, StoreError> {
        let mut removed = Vec::new();
        let mut condition = String::from("attribute_exists(#username)");
        let mut update = Update::builder()
            .table_name(&self.tables.users)
            .key(USERNAME, s(username))
            .expression_attribute_names("#username", USERNAME);
        let mut digests = Vec::new();
        if let Some(held) = &revoked.key {
            // A sealed key is kept as its digest, one from before sealing as itself.
            match &held.key {
                Some(key) => {
                    condition.push_str(" AND #token IN (:digest, :key)");
                    update = update.expression_attribute_values(":key", s(key.expose()));
                }
                None => condition.push_str(" AND #token = :digest"),
            }
            removed.extend(KEPT_KEY.map(str::to_owned));
            update = update
                .expression_attribute_names("#token", TOKEN)
                .expression_attribute_names("#token_expires", TOKEN_EXPIRES)
                .expression_attribute_names("#token_sealed", TOKEN_SEALED)
                .expression_attribute_values(":digest", s(held.digest.as_str()));
            digests.push(held.digest.clone());
        }
        if !revoked.issued.is_empty() {
            update = update.expression_attribute_names("#tokens", TOKENS);
        }
        for (index, digest) in revoked.issued.iter().enumerate() {
            let entry = format!("#tokens.#r{index}");
            condition.push_str(&format!(" AND attribute_exists({entry})"));
            removed.push(entry);
            update = update.expression_attribute_names(format!("#r{index}"), digest.as_str());
            digests.push(digest.clone());
        }
        let update = update
            .update_expression(format!("REMOVE {}", removed.join(", ")))
            .condition_expression(condition);
        let mut writes = vec![
            TransactWriteItem::builder()
                .update(built(update.build())?)
                .build(),
        ];
        // A record already gone (DynamoDB's TTL sweep deletes expired ones while the user still
        // lists them) is a token already revoked: only another user's record stops the step.
        for digest in &digests {
            let delete = built(
                Delete::builder()
                    .table_name(&self.tables.tokens)
                    .key(DIGEST, s(digest.as_str()))
                    .condition_expression("attribute_not_exists(#digest) OR #owner = :username")
                    .expression_attribute_names("#digest", DIGEST)
                    .expression_attribute_names("#owner", OWNER)
                    .expression_attribute_values(":username", s(username))
                    .build(),
            )?;
            writes.push(TransactWriteItem::builder().delete(delete).build());
        }
        self.transact(writes).await
    }

    async fn set_active(&self, read: &User, active: bool) -> Result<bool, StoreError> {
        if active {
            self.activate(read).await
        } else {
            self.deactivate(read, None).await
        }
    }

    async fn deactivate_readdressed(&self, read: &User, email: &str) -> Result<bool, StoreError> {
        self.deactivate(read, Some(email)).await
    }

    async fn activate_linked(&self, read: &User) -> Result<bool, StoreError> {
        let link = if read.link_nonce.is_some() {
            "#link = :link"
        } else {
            "attribute_not_exists(#link)"
        };
        let email = if read.email.is_empty() {
            "attribute_not_exists(#email)"
        } else {
            "#email = :email"
        };
        let condition = format!(
            "attribute_exists(#username) AND #active = :inactive AND #awaiting = :true \
             AND {} AND {link} AND {email}",
            credentials_are(read.credentials)
        );
        let mut update = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key(USERNAME, s(&read.username))
            .update_expression("SET #active = :active REMOVE #awaiting")
            .condition_expression(condition)
            .expression_attribute_names("#username", USERNAME)
            .expression_attribute_names("#active", ACTIVE)
            .expression_attribute_names("#awaiting", AWAITING_ACTIVATION)
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_names("#credentials", CREDENTIALS)
            .expression_attribute_names("#link", LINK_NONCE)
            .expression_attribute_names("#email", EMAIL)
            .expression_attribute_values(":active", AttributeValue::Bool(true))
            .expression_attribute_values(":inactive", AttributeValue::Bool(false));
        if read.credentials > 0 {
            update = update.expression_attribute_values(":credentials", items::n(read.credentials));
        }
        if let Some(nonce) = read.link_nonce {
            update = update.expression_attribute_values(":link", items::n(nonce));
        }
        if !read.email.is_empty() {
            update = update.expression_attribute_values(":email", s(&read.email));
        }
        written(update.send().await)
    }

    async fn delete_user(&self, read: &User) -> Result<bool, StoreError> {
        if read.per_login_tokens.len() > TOKENS_PER_STEP {
            return Ok(false);
        }
        let delete = Delete::builder()
            .table_name(&self.tables.users)
            .key(USERNAME, s(&read.username))
            .holding_exactly(read, "");
        let write = TransactWriteItem::builder()
            .delete(built(delete.build())?)
            .build();
        self.transact_dropping_tokens(write, Some(read)).await
    }

    async fn rename_user(&self, rename: Rename<'_>) -> Result<bool, StoreError> {
        let Rename { read, renamed } = rename;
        if read.per_login_tokens.len() > TOKENS_PER_STEP {
            return Ok(false);
        }
        let put = Put::builder()
            .table_name(&self.tables.users)
            .set_item(Some(items::user_item(renamed)))
            .condition_expression("attribute_not_exists(#username)")
            .expression_attribute_names("#username", USERNAME);
        let delete = Delete::builder()
            .table_name(&self.tables.users)
            .key(USERNAME, s(&read.username))
            .holding_exactly(read, &format!(" AND {}", credentials_are(read.credentials)))
            .with_credentials(read.credentials);
        let mut writes = vec![
            TransactWriteItem::builder()
                .put(built(put.build())?)
                .build(),
            TransactWriteItem::builder()
                .delete(built(delete.build())?)
                .build(),
        ];
        for digest in renamed.token_digests() {
            let owner = Update::builder()
                .table_name(&self.tables.tokens)
                .key(DIGEST, s(digest.as_str()))
                .update_expression("SET #owner = :new")
                .condition_expression("#owner = :old")
                .expression_attribute_names("#owner", OWNER)
                .expression_attribute_values(":new", s(&renamed.username))
                .expression_attribute_values(":old", s(&read.username));
            writes.push(
                TransactWriteItem::builder()
                    .update(built(owner.build())?)
                    .build(),
            );
        }
        self.transact(writes).await
    }

    async fn token_records(
        &self,
        digests: &[TokenDigest],
    ) -> Result<Vec<(TokenDigest, TokenRecord)>, StoreError> {
        let mut records = Vec::new();
        // BatchGetItem takes at most 100 keys.
        for chunk in digests.chunks(100) {
            let keys = chunk
                .iter()
                .map(|digest| HashMap::from([(DIGEST.to_owned(), s(digest.as_str()))]))
                .collect();
            let wanted = built(
                KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .consistent_read(true)
                    .build(),
            )?;
            let request = HashMap::from([(self.tables.tokens.clone(), wanted)]);
            for (_, item) in self.batch_get(request).await? {
                let digest = items::digest_from_item(&item).map_err(bad_item)?;
                records.push((digest, items::token_from_item(&item).map_err(bad_item)?));
            }
        }
        Ok(records)
    }

    async fn reset_password(&self, read: &User, new_hash: &str) -> Result<bool, StoreError> {
        if read.per_login_tokens.len() > TOKENS_PER_STEP {
            return Ok(false);
        }
        let update = Update::builder()
            .table_name(&self.tables.users)
            .key(USERNAME, s(&read.username))
            .holding_exactly(read, &format!(" AND {}", credentials_are(read.credentials)))
            .with_credentials(read.credentials)
            .update_expression(
                "SET #password = :new, #credentials = :next \
                 REMOVE #token, #token_expires, #token_sealed, #tokens",
            )
            .expression_attribute_names("#password", PASSWORD)
            .expression_attribute_names("#token_expires", TOKEN_EXPIRES)
            .expression_attribute_names("#token_sealed", TOKEN_SEALED)
            .expression_attribute_values(":new", s(new_hash))
            .expression_attribute_values(":next", items::n(read.credentials + 1));
        let write = TransactWriteItem::builder()
            .update(built(update.build())?)
            .build();
        self.transact_dropping_tokens(write, Some(read)).await
    }

    async fn users_with_email(&self, address: &str) -> Result<Vec<User>, StoreError> {
        let key = crate::email::folded(address);
        let output = self
            .client
            .query()
            .table_name(&self.tables.users)
            .index_name(BY_EMAIL)
            .key_condition_expression("#key = :key")
            .expression_attribute_names("#key", EMAIL_KEY)
            .expression_attribute_values(":key", s(&key))
            .limit(i32::try_from(MAX_USERS_PER_ADDRESS).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(classify)?;
        let mut users = Vec::new();
        for item in output.items() {
            let Some(AttributeValue::S(username)) = item.get(USERNAME) else {
                continue;
            };
            // The index lags the table a little: the user as they are now, if still theirs.
            if let Some(user) = self.user(username).await?
                && crate::email::folded(&user.email) == key
            {
                users.push(user);
            }
        }
        Ok(users)
    }

    async fn point_id(&self, id: u64, username: &str) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.tables.users)
            .item(USERNAME, s(items::id_pointer_key(id)))
            .item(POINTS_TO, s(username))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn user_with_id(&self, id: u64) -> Result<Option<User>, StoreError> {
        let key = (USERNAME, s(items::id_pointer_key(id)));
        let Some(username) = self
            .read(&self.tables.users, key, items::pointer_from_item)
            .await?
        else {
            return Ok(None);
        };
        Ok(self
            .user(&username)
            .await?
            .filter(|user| user.id == Some(id)))
    }

    async fn stamp_link(&self, read: &User, nonce: u64) -> Result<bool, StoreError> {
        let condition = format!(
            "attribute_exists(#username) AND {}",
            credentials_are(read.credentials)
        );
        let mut update = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key(USERNAME, s(&read.username))
            .update_expression("SET #link = :nonce")
            .condition_expression(condition)
            .expression_attribute_names("#username", USERNAME)
            .expression_attribute_names("#link", LINK_NONCE)
            .expression_attribute_names("#credentials", CREDENTIALS)
            .expression_attribute_values(":nonce", items::n(nonce));
        if read.credentials > 0 {
            update = update.expression_attribute_values(":credentials", items::n(read.credentials));
        }
        written(update.send().await)
    }

    async fn forget_link(&self, username: &str, nonce: u64) -> Result<bool, StoreError> {
        written(
            self.client
                .update_item()
                .table_name(&self.tables.users)
                .key(USERNAME, s(username))
                .update_expression("REMOVE #link")
                .condition_expression("#link = :nonce")
                .expression_attribute_names("#link", LINK_NONCE)
                .expression_attribute_values(":nonce", items::n(nonce))
                .send()
                .await,
        )
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
        // The counter of user ids and the ids' pointers share the table, under keys that start
        // with a control character, which no user's name holds.
        let users = output
            .items()
            .iter()
            .filter(|item| match item.get(USERNAME) {
                Some(AttributeValue::S(key)) => !key.starts_with('\u{1}'),
                _ => true,
            })
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
        replacement: HashReplacement<'_>,
    ) -> Result<bool, StoreError> {
        let HashReplacement {
            username,
            old_hash,
            new_hash,
            change,
        } = replacement;
        let mut update = self
            .client
            .update_item()
            .table_name(&self.tables.users)
            .key(USERNAME, s(username))
            .condition_expression("#password = :old")
            .expression_attribute_names("#password", PASSWORD)
            .expression_attribute_values(":new", s(new_hash))
            .expression_attribute_values(":old", s(old_hash));
        update = match change {
            PasswordChange::Rehash => update.update_expression("SET #password = :new"),
            PasswordChange::NewPassword => update
                .update_expression("SET #password = :new ADD #credentials :one")
                .expression_attribute_names("#credentials", CREDENTIALS)
                .expression_attribute_values(":one", items::n(1)),
        };
        written(update.send().await)
    }
}

impl DynamoStore {
    /// One strongly consistent read of the item at `key` in `table`, mapped by `from_item`.
    async fn read<T>(
        &self,
        table: &str,
        (name, value): (&str, AttributeValue),
        from_item: fn(&items::Item) -> Result<T, items::ItemError>,
    ) -> Result<Option<T>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(table)
            .key(name, value)
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        output.item().map(from_item).transpose().map_err(bad_item)
    }

    /// Runs `items` as one transaction: `Ok(false)` if a condition did not hold (or another
    /// transaction interfered), so the caller re-reads and decides again.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<bool, StoreError> {
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let Err(error) = result else {
            return Ok(true);
        };
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
            error.as_service_error()
        else {
            return Err(classify(error));
        };
        let codes = cancelled.cancellation_reasons().iter().map(|r| r.code());
        match cancellation(codes) {
            Cancellation::ConditionNotMet => Ok(false),
            Cancellation::Transient => Err(StoreError::Unavailable(Box::new(error))),
            Cancellation::Failed => Err(StoreError::Failed(Box::new(error))),
        }
    }

    /// Activates `read`'s user, provided they hold exactly its tokens.
    async fn activate(&self, read: &User) -> Result<bool, StoreError> {
        if read.per_login_tokens.len() > TOKENS_PER_STEP {
            return Ok(false);
        }
        let update = Update::builder()
            .table_name(&self.tables.users)
            .key(USERNAME, s(&read.username))
            .holding_exactly(read, "")
            .update_expression("SET #active = :active REMOVE #awaiting")
            .expression_attribute_names("#active", ACTIVE)
            .expression_attribute_names("#awaiting", AWAITING_ACTIVATION)
            .expression_attribute_values(":active", AttributeValue::Bool(true));
        let write = TransactWriteItem::builder()
            .update(built(update.build())?)
            .build();
        self.transact(vec![write]).await
    }

    /// Deactivates `read`'s user and deletes every token of theirs with its record, provided
    /// they hold exactly `read`'s tokens; with `email`, sets their address in the same step and
    /// leaves them awaiting activation (an operator's deactivation, without, does not).
    async fn deactivate(&self, read: &User, email: Option<&str>) -> Result<bool, StoreError> {
        if read.per_login_tokens.len() > TOKENS_PER_STEP {
            return Ok(false);
        }
        let mut update = Update::builder()
            .table_name(&self.tables.users)
            .key(USERNAME, s(&read.username))
            .holding_exactly(read, "")
            .expression_attribute_names("#active", ACTIVE)
            .expression_attribute_names("#token_expires", TOKEN_EXPIRES)
            .expression_attribute_names("#token_sealed", TOKEN_SEALED)
            .expression_attribute_names("#awaiting", AWAITING_ACTIVATION)
            .expression_attribute_values(":active", AttributeValue::Bool(false));
        const DROPPED: &str = "#token, #token_expires, #token_sealed, #tokens";
        update = match email {
            None => update
                .update_expression(format!("SET #active = :active REMOVE {DROPPED}, #awaiting")),
            // No email is no attribute, as a new user's item has none (and no entry in the index).
            Some("") => update
                .update_expression(format!(
                    "SET #active = :active, #awaiting = :awaiting \
                     REMOVE {DROPPED}, #email, #email_key"
                ))
                .expression_attribute_values(":awaiting", AttributeValue::Bool(true))
                .expression_attribute_names("#email", EMAIL)
                .expression_attribute_names("#email_key", EMAIL_KEY),
            Some(email) => update
                .update_expression(format!(
                    "SET #active = :active, #awaiting = :awaiting, #email = :email, \
                     #email_key = :email_key REMOVE {DROPPED}"
                ))
                .expression_attribute_values(":awaiting", AttributeValue::Bool(true))
                .expression_attribute_names("#email", EMAIL)
                .expression_attribute_names("#email_key", EMAIL_KEY)
                .expression_attribute_values(":email", s(email))
                .expression_attribute_values(":email_key", s(crate::email::folded(email))),
        };
        let write = TransactWriteItem::builder()
            .update(built(update.build())?)
            .build();
        self.transact_dropping_tokens(write, Some(read)).await
    }

    /// Runs `write` (on a users item) and, in the same transaction, the deletion of the records
    /// of every token `dropped` holds, if any: how deactivation, deletion and a password reset
    /// take a user's tokens away.
    async fn transact_dropping_tokens(
        &self,
        write: TransactWriteItem,
        dropped: Option<&User>,
    ) -> Result<bool, StoreError> {
        let mut writes = vec![write];
        for digest in dropped.map(User::token_digests).unwrap_or_default() {
            writes.push(self.delete_token_record(&digest)?);
        }
        self.transact(writes).await
    }

    /// A transaction step that records `username`'s new token, provided its digest is new.
    pub(super) fn put_token_record(
        &self,
        username: &str,
        token: &NewToken,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = built(
            Put::builder()
                .table_name(&self.tables.tokens)
                .set_item(Some(items::token_item(username, token)))
                .condition_expression("attribute_not_exists(#digest)")
                .expression_attribute_names("#digest", DIGEST)
                .build(),
        )?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// A transaction step that deletes the record of `digest` (no condition: it may be gone).
    fn delete_token_record(&self, digest: &TokenDigest) -> Result<TransactWriteItem, StoreError> {
        let delete = built(
            Delete::builder()
                .table_name(&self.tables.tokens)
                .key(DIGEST, s(digest.as_str()))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Every item `request` asks for, strongly consistently, with the keys DynamoDB leaves
    /// unprocessed (it does so when throttled) asked for again a few times, backing off.
    async fn batch_get(
        &self,
        mut request: HashMap<String, KeysAndAttributes>,
    ) -> Result<Vec<(String, items::Item)>, StoreError> {
        let mut found = Vec::new();
        for attempt in 0..BATCH_ATTEMPTS {
            let output = self
                .client
                .batch_get_item()
                .set_request_items(Some(request))
                .send()
                .await
                .map_err(classify)?;
            for (table, items) in output.responses.unwrap_or_default() {
                found.extend(items.into_iter().map(|item| (table.clone(), item)));
            }
            request = output.unprocessed_keys.unwrap_or_default();
            if request.is_empty() {
                return Ok(found);
            }
            tokio::time::sleep(Duration::from_millis(25 << attempt)).await;
        }
        Err(StoreError::Unavailable(Box::new(Unprocessed)))
    }
}

/// The users-table update of [`Store::update_issued`]: the new token's entry added, the pruned
/// ones removed, the per-user key (if `read` has one) moved among the entries; on condition
/// that the user is active and still holds the key of `read` (or none). If `read` listed no
/// per-login token, the list may not exist yet: it is written whole, on condition that it still
/// lists none. Otherwise entries are added and removed one by one, on condition that each
/// pruned one is still listed and that the list leaves room under `change.at_most`: its length
/// is checked, not its contents, so that concurrent logins do not fail each other, and no two
/// of them can both take the last place.
fn issued_update(read: &User, change: &IssuedChange) -> UpdateBuilder {
    let mut added = Vec::new();
    if let Some(moved) = &read.per_user_token {
        added.push((moved.key.digest(), moved.expires));
    }
    if let Some(token) = &change.new {
        added.push((token.key.digest(), token.expires));
    }
    let mut update = Update::builder()
        .expression_attribute_names("#active", ACTIVE)
        .expression_attribute_names("#tokens", TOKENS)
        .expression_attribute_values(":true", AttributeValue::Bool(true));
    let mut condition = format!(
        " AND #active = :true AND {}",
        credentials_are(read.credentials)
    );
    let mut set = Vec::new();
    let mut removed = Vec::new();
    if read.per_user_token.is_some() {
        update = update
            .expression_attribute_names("#token_expires", TOKEN_EXPIRES)
            .expression_attribute_names("#token_sealed", TOKEN_SEALED);
        removed.extend(KEPT_KEY.map(str::to_owned));
    }
    if read.per_login_tokens.is_empty() {
        let entries = added
            .iter()
            .map(|(digest, expires)| (digest.as_str().to_owned(), items::issued_value(*expires)))
            .collect();
        condition.push_str(" AND (attribute_not_exists(#tokens) OR size(#tokens) = :none)");
        set.push("#tokens = :entries".to_owned());
        update = update
            .expression_attribute_values(":none", items::n(0))
            .expression_attribute_values(":entries", AttributeValue::M(entries));
    } else {
        for (index, digest) in change.pruned.iter().enumerate() {
            update = update.expression_attribute_names(format!("#p{index}"), digest.as_str());
            condition.push_str(&format!(" AND attribute_exists(#tokens.#p{index})"));
            removed.push(format!("#tokens.#p{index}"));
        }
        for (index, (digest, expires)) in added.iter().enumerate() {
            update = update
                .expression_attribute_names(format!("#a{index}"), digest.as_str())
                .expression_attribute_values(format!(":a{index}"), items::issued_value(*expires));
            set.push(format!("#tokens.#a{index} = :a{index}"));
        }
        // size() of a missing list is false, as is attribute_exists: a password reset may have
        // removed the list since it was read.
        match change.at_most {
            Some(at_most) => {
                let room = (at_most + change.pruned.len() + 1).saturating_sub(added.len());
                condition.push_str(" AND size(#tokens) < :room");
                update = update.expression_attribute_values(":room", items::n(room as u64));
            }
            None => condition.push_str(" AND attribute_exists(#tokens)"),
        }
    }
    let mut expression = Vec::new();
    if !set.is_empty() {
        expression.push(format!("SET {}", set.join(", ")));
    }
    if !removed.is_empty() {
        expression.push(format!("REMOVE {}", removed.join(", ")));
    }
    let current = read.per_user_token.as_ref().map(|token| &token.key);
    update
        .update_expression(expression.join(" "))
        .holding_key(current, &condition)
        .with_credentials(read.credentials)
}

/// The placeholders of the attributes that keep a per-user key (bound as `TOKEN`,
/// `TOKEN_EXPIRES`, `TOKEN_SEALED`): removed together.
const KEPT_KEY: [&str; 3] = ["#token", "#token_expires", "#token_sealed"];

/// The condition that a users item still has credentials version `version` (bound by
/// [`HoldingExactly::with_credentials`]): a version never changed is an absent attribute.
fn credentials_are(version: u64) -> &'static str {
    if version == 0 {
        "attribute_not_exists(#credentials)"
    } else {
        "#credentials = :credentials"
    }
}

/// A write on a users item on condition that the user exists and holds exactly certain tokens,
/// plus `also` (`" AND ..."`, or `""`): the one way the users table is guarded against a
/// concurrent change of the user's tokens.
trait HoldingExactly: Sized {
    fn condition(self, expression: String) -> Self;
    fn name(self, placeholder: &str, attribute: &str) -> Self;
    fn value(self, placeholder: &str, value: AttributeValue) -> Self;

    /// Binds what [`credentials_are`]`(version)` names.
    fn with_credentials(self, version: u64) -> Self {
        let this = self.name("#credentials", CREDENTIALS);
        if version == 0 {
            this
        } else {
            this.value(":credentials", items::n(version))
        }
    }

    /// Holding exactly `current` as the per-user key (no key if `None`); per-login tokens are
    /// not looked at. Binds `#username`, `#token` and, with a key, `:current`.
    fn holding_key(self, current: Option<&KeptKey>, also: &str) -> Self {
        let this = self.name("#username", USERNAME).name("#token", TOKEN);
        match current {
            Some(key) => this
                .condition(format!(
                    "attribute_exists(#username) AND #token = :current{also}"
                ))
                .value(":current", s(key.stored())),
            None => this.condition(format!(
                "attribute_exists(#username) AND attribute_not_exists(#token){also}"
            )),
        }
    }

    /// Holding exactly the tokens of `read`, under both policies: its per-user key, and as many
    /// per-login tokens as it lists, each of them (at most [`TOKENS_PER_STEP`], which keeps the
    /// expression within DynamoDB's limits). Also binds `#tokens`, `#h0`... and `:held`.
    fn holding_exactly(self, read: &User, also: &str) -> Self {
        let mut issued = if read.per_login_tokens.is_empty() {
            String::from(" AND (attribute_not_exists(#tokens) OR size(#tokens) = :held)")
        } else {
            String::from(" AND size(#tokens) = :held")
        };
        let mut this = self
            .name("#tokens", TOKENS)
            .value(":held", items::n(read.per_login_tokens.len() as u64));
        for (index, held) in read.per_login_tokens.iter().enumerate() {
            this = this.name(&format!("#h{index}"), held.digest.as_str());
            issued.push_str(&format!(" AND attribute_exists(#tokens.#h{index})"));
        }
        let current = read.per_user_token.as_ref().map(|token| &token.key);
        this.holding_key(current, &format!("{issued}{also}"))
    }
}

/// The same three builder methods, under the trait's names, for both builders that write a
/// users item in a transaction.
macro_rules! holding_exactly_for {
    ($($builder:ty),+) => {$(
        impl HoldingExactly for $builder {
            fn condition(self, expression: String) -> Self {
                self.condition_expression(expression)
            }
            fn name(self, placeholder: &str, attribute: &str) -> Self {
                self.expression_attribute_names(placeholder, attribute)
            }
            fn value(self, placeholder: &str, value: AttributeValue) -> Self {
                self.expression_attribute_values(placeholder, value)
            }
        }
    )+};
}

holding_exactly_for!(UpdateBuilder, DeleteBuilder);

/// An error that may say "the write's condition did not hold".
trait ConditionFailed {
    fn is_condition_failed(&self) -> bool;
}

impl ConditionFailed for PutItemError {
    fn is_condition_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

impl ConditionFailed for UpdateItemError {
    fn is_condition_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

/// A single conditional write's outcome: `Ok(true)` written, `Ok(false)` its condition did not
/// hold, or the classified failure.
fn written<O, E, R>(result: Result<O, SdkError<E, R>>) -> Result<bool, StoreError>
where
    E: ConditionFailed
        + aws_sdk_dynamodb::error::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(error) if error.as_service_error().is_some_and(E::is_condition_failed) => Ok(false),
        Err(error) => Err(classify(error)),
    }
}

/// Rounds of `BatchGetItem` for keys DynamoDB left unprocessed (it does so when throttled).
const BATCH_ATTEMPTS: u32 = 3;

/// DynamoDB kept leaving keys of a `BatchGetItem` unprocessed.
#[derive(Debug, thiserror::Error)]
#[error("DynamoDB left keys unprocessed after {BATCH_ATTEMPTS} attempts")]
struct Unprocessed;

/// A request the SDK's builder refused (a required field missing): a bug, never the client's.
fn built<T>(result: Result<T, aws_sdk_dynamodb::error::BuildError>) -> Result<T, StoreError> {
    result.map_err(|error| StoreError::Failed(Box::new(error)))
}

/// An item that does not have the layout this store writes.
fn bad_item(error: items::ItemError) -> StoreError {
    StoreError::Failed(Box::new(error))
}

/// The user-id counter answered without its number: a table written by something else.
fn bad_counter() -> StoreError {
    StoreError::Failed("the user-id counter's item holds no number".into())
}
