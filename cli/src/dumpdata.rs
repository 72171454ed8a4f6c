//! Django's `dumpdata` JSON, read for `authtoken import django`: the users of the user model
//! (`auth.user`, or another with `--user-model`) and DRF's tokens (`authtoken.token`), as
//! `python manage.py dumpdata` writes them with or without `--indent`, `--natural-foreign` and
//! `--natural-primary`. Entries of other models are counted and skipped; an entry of these
//! models that cannot be read is refused with the reason, naming the entry.

use std::time::UNIX_EPOCH;

use serde_json::{Map, Value};

/// The model of DRF's tokens.
pub const TOKEN_MODEL: &str = "authtoken.token";

/// A user entry.
#[derive(Debug, Clone)]
pub struct DumpedUser {
    /// Its place in the dump (1 for the first entry).
    pub entry: usize,
    /// Its primary key, absent with `--natural-primary`.
    pub pk: Option<Value>,
    /// The username field's value, as stored.
    pub username: String,
    /// The password hash, as Django wrote it.
    pub password: String,
    /// `is_active` (true when the model has no such field).
    pub active: bool,
    /// `date_joined`, in seconds since the epoch, if the model has it.
    pub joined: Option<u64>,
    /// `email` (`""` when the model has none).
    pub email: String,
}

impl DumpedUser {
    /// The primary key as a user id: a whole number from 1 (a number, or a string of digits as
    /// some dumps write it); `None` for a dump without primary keys or a model whose keys are
    /// not numbers (UUIDs).
    pub fn id(&self) -> Option<u64> {
        match self.pk.as_ref()? {
            Value::Number(number) => number.as_u64(),
            Value::String(text) => text.parse().ok(),
            _ => None,
        }
        .filter(|id| *id > 0)
    }
}

/// How a token entry names its user.
#[derive(Debug, Clone, PartialEq)]
pub enum UserRef {
    /// By primary key (plain dumps).
    Pk(Value),
    /// By natural key, the username (`--natural-foreign`).
    Username(String),
}

/// A token entry.
#[derive(Debug, Clone)]
pub struct DumpedToken {
    /// Its place in the dump.
    pub entry: usize,
    /// The key (DRF's token's primary key).
    pub key: String,
    /// Its user.
    pub user: UserRef,
    /// When it was created, in seconds since the epoch.
    pub created: u64,
}

/// An entry that will not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Its place in the dump.
    pub entry: usize,
    /// What it is: its model and, where known, its username.
    pub what: String,
    /// Why it is refused.
    pub reason: String,
}

/// What a dump holds of interest.
#[derive(Debug, Default)]
pub struct Dump {
    /// The user model's entries.
    pub users: Vec<DumpedUser>,
    /// DRF's token entries.
    pub tokens: Vec<DumpedToken>,
    /// Entries of these two models that cannot be read.
    pub refused: Vec<Refusal>,
    /// Entries of other models, skipped.
    pub other_models: usize,
}

/// The input is not a dumpdata file at all.
#[derive(Debug, thiserror::Error)]
pub enum NotADump {
    /// Not JSON.
    #[error("not a dumpdata file: it is not JSON ({0})")]
    NotJson(#[source] serde_json::Error),
    /// JSON of another shape.
    #[error("not a dumpdata file: {0}")]
    Shape(String),
}

/// Reads a dump, keeping the entries of `user_model` (an app label and model name, compared
/// without case, as Django does: `auth.user`) whose login name is `username_field`, and DRF's
/// tokens.
pub fn read(text: &[u8], user_model: &str, username_field: &str) -> Result<Dump, NotADump> {
    let value: Value = serde_json::from_slice(text).map_err(NotADump::NotJson)?;
    let Value::Array(entries) = value else {
        return Err(NotADump::Shape(
            "it is not a list of entries (dumpdata writes a JSON array)".to_owned(),
        ));
    };
    let user_model = user_model.to_lowercase();
    let mut dump = Dump::default();
    for (index, entry) in entries.iter().enumerate() {
        let number = index + 1;
        let (model, object) = model_and_object(entry).ok_or_else(|| {
            NotADump::Shape(format!(
                "entry {number} has no \"model\" and \"fields\", as every dumpdata entry has"
            ))
        })?;
        let fields = object.get("fields").and_then(Value::as_object);
        let Some(fields) = fields else {
            return Err(NotADump::Shape(format!(
                "entry {number} ({model}) has no \"fields\" object"
            )));
        };
        if model == user_model.as_str() {
            match read_user(number, object.get("pk"), fields, username_field) {
                Ok(user) => dump.users.push(user),
                Err(reason) => dump.refused.push(Refusal {
                    entry: number,
                    what: describe(&model, fields.get(username_field)),
                    reason,
                }),
            }
        } else if model == TOKEN_MODEL {
            match read_token(number, object.get("pk"), fields) {
                Ok(token) => dump.tokens.push(token),
                Err(reason) => dump.refused.push(Refusal {
                    entry: number,
                    what: TOKEN_MODEL.to_owned(),
                    reason,
                }),
            }
        } else {
            dump.other_models += 1;
        }
    }
    Ok(dump)
}

fn model_and_object(entry: &Value) -> Option<(String, &Map<String, Value>)> {
    let object = entry.as_object()?;
    let model = object.get("model")?.as_str()?;
    Some((model.to_lowercase(), object))
}

/// `auth.user "alice"`, or the model alone when the name is not a string.
fn describe(model: &str, username: Option<&Value>) -> String {
    match username.and_then(Value::as_str) {
        Some(name) => format!("{model} {name:?}"),
        None => model.to_owned(),
    }
}

fn read_user(
    entry: usize,
    pk: Option<&Value>,
    fields: &Map<String, Value>,
    username_field: &str,
) -> Result<DumpedUser, String> {
    let username = match fields.get(username_field) {
        Some(Value::String(name)) => name.clone(),
        Some(_) => return Err(format!("its {username_field:?} is not a string")),
        None => {
            return Err(format!(
                "it has no {username_field:?} field (give the login field with --username-field)"
            ));
        }
    };
    let password = match fields.get("password") {
        Some(Value::String(hash)) => hash.clone(),
        _ => return Err("it has no \"password\" hash".to_owned()),
    };
    let active = match fields.get("is_active") {
        None => true,
        Some(Value::Bool(active)) => *active,
        Some(_) => return Err("its \"is_active\" is not true or false".to_owned()),
    };
    let joined = match fields.get("date_joined") {
        Some(Value::String(text)) => Some(
            timestamp(text).ok_or_else(|| format!("its \"date_joined\" {text:?} is not a date"))?,
        ),
        _ => None,
    };
    let email = match fields.get("email") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(email)) => email.clone(),
        Some(_) => return Err("its \"email\" is not a string".to_owned()),
    };
    Ok(DumpedUser {
        entry,
        pk: pk.cloned(),
        username,
        password,
        active,
        joined,
        email,
    })
}

fn read_token(
    entry: usize,
    pk: Option<&Value>,
    fields: &Map<String, Value>,
) -> Result<DumpedToken, String> {
    let Some(Value::String(key)) = pk else {
        return Err("it has no key (its \"pk\")".to_owned());
    };
    let user = match fields.get("user") {
        Some(Value::Array(natural)) => match natural.as_slice() {
            [Value::String(name)] => UserRef::Username(name.clone()),
            _ => return Err("its \"user\" is not a natural key [username]".to_owned()),
        },
        Some(pk @ (Value::Number(_) | Value::String(_))) => UserRef::Pk(pk.clone()),
        _ => return Err("it has no \"user\"".to_owned()),
    };
    let created = match fields.get("created") {
        Some(Value::String(text)) => {
            timestamp(text).ok_or_else(|| format!("its \"created\" {text:?} is not a date"))?
        }
        _ => return Err("it has no \"created\" date".to_owned()),
    };
    Ok(DumpedToken {
        entry,
        key: key.clone(),
        user,
        created,
    })
}

/// Seconds since the epoch of a datetime as Django's JSON encoder writes it: ISO 8601, in UTC
/// (`2026-11-29T10:00:00.123Z`), with another offset (`+02:00`), or naive (`USE_TZ = False`,
/// read as UTC).
pub fn timestamp(text: &str) -> Option<u64> {
    let (local, offset_seconds) = split_offset(text.trim())?;
    let at = humantime::parse_rfc3339_weak(local).ok()?;
    let seconds = at.duration_since(UNIX_EPOCH).ok()?.as_secs();
    let utc = i64::try_from(seconds).ok()? - offset_seconds;
    u64::try_from(utc).ok()
}

/// The datetime without its UTC offset, and the offset in seconds (`Z` and none are 0).
fn split_offset(text: &str) -> Option<(&str, i64)> {
    if let Some(local) = text.strip_suffix('Z') {
        return Some((local, 0));
    }
    // An offset is the last 6 characters, `+HH:MM` or `-HH:MM`, after the time.
    let split = text.len().checked_sub(6)?;
    let (local, offset) = (text.get(..split)?, text.get(split..)?);
    let sign = match offset.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') if local.contains('T') || local.contains(' ') => -1,
        _ => return Some((text, 0)),
    };
    let hours: i64 = offset.get(1..3)?.parse().ok()?;
    let minutes: i64 = offset.get(4..6)?.parse().ok()?;
    if offset.as_bytes().get(3) != Some(&b':') {
        return Some((text, 0));
    }
    Some((local, sign * (hours * 3600 + minutes * 60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn djangos_datetimes_are_read_in_every_form_it_writes() {
        let noon = 1_795_953_600; // 2026-11-29T12:00:00Z
        assert_eq!(timestamp("2026-11-29T12:00:00Z"), Some(noon));
        assert_eq!(timestamp("2026-11-29T12:00:00.123Z"), Some(noon));
        assert_eq!(
            timestamp("2026-11-29T12:00:00.123"),
            Some(noon),
            "naive: UTC"
        );
        assert_eq!(timestamp("2026-11-29T14:00:00+02:00"), Some(noon));
        assert_eq!(timestamp("2026-11-29T07:30:00.5-04:30"), Some(noon));
        assert_eq!(timestamp("yesterday"), None);
        assert_eq!(timestamp("2026-11-29T12:00:00\u{20ac}\u{20ac}"), None);
        assert_eq!(timestamp("\u{20ac}+01:00"), None);
        assert_eq!(timestamp(""), None);
    }

    #[test]
    fn plain_and_natural_dumps_give_the_same_users_and_tokens() {
        let plain = br#"[
          {"model": "auth.user", "pk": 7, "fields": {"username": "alice", "password": "pbkdf2_sha256$1$s$aGFzaA==",
           "is_active": true, "date_joined": "2026-11-29T12:00:00Z"}},
          {"model": "contenttypes.contenttype", "pk": 1, "fields": {}},
          {"model": "authtoken.token", "pk": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
           "fields": {"user": 7, "created": "2026-11-29T12:00:01Z"}}
        ]"#;
        let natural = br#"[{"model":"auth.user","fields":{"username":"alice","password":"pbkdf2_sha256$1$s$aGFzaA==","is_active":true}},
          {"model":"authtoken.token","pk":"9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b","fields":{"user":["alice"],"created":"2026-11-29T12:00:01.5Z"}}]"#;
        let plain = read(plain, "auth.User", "username").unwrap();
        assert_eq!(plain.users[0].pk, Some(Value::from(7)));
        assert_eq!(plain.tokens[0].user, UserRef::Pk(Value::from(7)));
        assert_eq!((plain.other_models, plain.tokens[0].entry), (1, 3));
        let natural = read(natural, "auth.user", "username").unwrap();
        assert_eq!(natural.users[0].pk, None);
        assert_eq!(natural.tokens[0].user, UserRef::Username("alice".into()));
        assert_eq!(natural.tokens[0].created, plain.tokens[0].created);
    }

    #[test]
    fn what_is_not_a_dump_is_said_so_and_bad_entries_are_refused_by_number() {
        for (text, says) in [
            (&b"not json"[..], "it is not JSON"),
            (br#"{"model": "auth.user"}"#, "not a list of entries"),
            (
                br#"[{"username": "x"}]"#,
                "entry 1 has no \"model\" and \"fields\"",
            ),
        ] {
            let error = read(text, "auth.user", "username").unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
        }
        let dump = read(
            br#"[{"model":"auth.user","pk":1,"fields":{"username":5,"password":"x"}},
                 {"model":"auth.user","pk":2,"fields":{"username":"b"}},
                 {"model":"authtoken.token","pk":"k","fields":{"user":[1,2],"created":"2026-01-01T00:00:00Z"}},
                 {"model":"authtoken.token","pk":"k","fields":{"user":2,"created":"soon"}}]"#,
            "auth.user",
            "username",
        )
        .unwrap();
        let reasons: Vec<(usize, &str)> = dump
            .refused
            .iter()
            .map(|refusal| (refusal.entry, refusal.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (1, "its \"username\" is not a string"),
                (2, "it has no \"password\" hash"),
                (3, "its \"user\" is not a natural key [username]"),
                (4, "its \"created\" \"soon\" is not a date"),
            ]
        );
    }
}
