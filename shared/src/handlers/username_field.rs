//! A new username as djoser's serializers take it (`POST /auth/users/`'s `username`,
//! `set_username`'s `new_username`): DRF's `CharField` (trimmed), then every validator of
//! Django's `User.username` in DRF's order, all their messages at once.

use crate::ctx::Ctx;
use crate::http::form::{CharField, Raw};
use crate::http::response::Failure;
use crate::store::Store;
use crate::username::{self, MAX_CHARS, Username};

/// Django's `UnicodeUsernameValidator`'s message.
const INVALID_USERNAME: &str = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.";
/// DRF's `UniqueValidator` on Django's `User.username`.
pub(super) const TAKEN: &str = "A user with that username already exists.";

/// The name as sent (trimmed), or every message of its validators (Django's character rule,
/// unique, at most 150 characters, no null character), in DRF's order.
pub(super) async fn check<S: Store>(
    ctx: &Ctx<S>,
    raw: Raw,
) -> Result<Result<String, Vec<String>>, Failure> {
    let name = match CharField::TRIMMED.text(raw) {
        Ok(Some(name)) => name,
        Ok(None) => return Ok(Err(vec!["This field is required.".to_owned()])),
        Err(message) => return Ok(Err(vec![message.to_owned()])),
    };
    let mut messages = Vec::new();
    if !username::is_djangos(&name) {
        messages.push(INVALID_USERNAME.to_owned());
    }
    if is_taken(ctx, &name).await? {
        messages.push(TAKEN.to_owned());
    }
    if name.chars().count() > MAX_CHARS {
        messages.push(too_long());
    }
    if name.contains('\0') {
        messages.push("Null characters are not allowed.".to_owned());
    }
    Ok(if messages.is_empty() {
        Ok(name)
    } else {
        Err(messages)
    })
}

/// Whether a user has `name`, as sent (DRF's `UniqueValidator`) or in the form it would be
/// stored in (NFKC, where Django would fail on its unique index; and folded, under
/// `USERNAME_CASE_INSENSITIVE`).
async fn is_taken<S: Store>(ctx: &Ctx<S>, name: &str) -> Result<bool, Failure> {
    if username::is_overlong(name) {
        return Ok(false);
    }
    if ctx.store.user(name).await?.is_some() {
        return Ok(true);
    }
    match Username::parse(name, ctx.settings.usernames) {
        Ok(stored) if stored.as_str() != name => {
            Ok(ctx.store.user(stored.as_str()).await?.is_some())
        }
        _ => Ok(false),
    }
}

/// DRF's `max_length` message for the username.
pub(super) fn too_long() -> String {
    format!("Ensure this field has no more than {MAX_CHARS} characters.")
}
