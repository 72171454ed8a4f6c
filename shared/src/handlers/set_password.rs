//! djoser's `set_password`: the caller's current password and a new one in (and its retyping,
//! under `SET_PASSWORD_RETYPE`), 204 out once the new one is set.
//!
//! The checks run in djoser's order, with its messages: each field's own (required, blank,
//! ...), the current password's among them ("Invalid password.", checked under the lockout, so
//! that a stolen token cannot be used to guess the password); then, once every field is valid,
//! Django's validators on the new password, then the retyping. The new password is written on
//! condition that the password verified is still the user's; under
//! `LOGOUT_ON_PASSWORD_CHANGE` every token of the user goes in the same step.

use http::Response;
use lambda_http::{Body, Request};

use super::{Submission, current_password};
use crate::accounts::password::{NewPassword, PasswordSet, TokenOnReset, set_password_hash};
use crate::audit::Changer;
use crate::ctx::Ctx;
use crate::endpoint::SET_PASSWORD;
use crate::http::form::{CharField, FieldErrors, FormError};
use crate::http::response::{self, Failure};
use crate::mail::MailRequest;
use crate::secrets::password::{self, MAX_PASSWORD_BYTES, Password};
use crate::secrets::validators::Attributes;
use crate::store::Store;
use crate::tokens::Caller;

/// Queues the notice of `username`'s new password, under `PASSWORD_CHANGED_EMAIL_CONFIRMATION`.
pub(super) async fn notify_password_changed<S: Store>(ctx: &Ctx<S>, username: &str) {
    if ctx.settings.mail.password_changed_notice {
        let notice = MailRequest::PasswordChanged {
            username: username.to_owned(),
        };
        ctx.mailbox.post_or_log(&notice).await;
    }
}

/// djoser's message for a retyped password that differs.
pub(super) const MISMATCH: &str = "The two password fields didn't match.";

/// Checks the body and sets the caller's new password.
pub(super) async fn set_password<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
    caller: &Caller,
) -> Result<Response<Body>, Failure> {
    let accounts = &ctx.settings.accounts;
    let submitted = Submission::of(request);
    let names: &[&'static str] = if accounts.set_password_retype {
        &["new_password", "re_new_password", "current_password"]
    } else {
        &["new_password", "current_password"]
    };
    let mut fields = submitted.read(&SET_PASSWORD, names).await?;
    let mut errors = FieldErrors::default();
    let new = errors.check(
        "new_password",
        CharField::TRIMMED
            .required(fields.take("new_password"))
            .and_then(within_limit),
    );
    let retyped = if accounts.set_password_retype {
        errors.check(
            "re_new_password",
            CharField::TRIMMED.required(fields.take("re_new_password")),
        )
    } else {
        None
    };
    let current = fields.take("current_password");
    let checked = current_password::check(ctx, caller, current, submitted.source.as_deref());
    let verified = errors.check("current_password", checked.await?);
    let (Some(new), Some(verified)) = (new, verified) else {
        return Err(Failure::Form(FormError::Fields(errors)));
    };
    errors.into_result().map_err(Failure::Form)?;
    let new = Password::new(new);
    let user = Attributes {
        username: &caller.username,
        email: None,
    };
    let problems = accounts.password_rules.check(&new, user).await;
    if !problems.is_empty() {
        return Err(Failure::Form(FieldErrors::of("new_password", problems)));
    }
    if accounts.set_password_retype && retyped.as_deref() != Some(new.expose()) {
        return Err(Failure::Form(FormError::NonField(MISMATCH.to_owned())));
    }
    let hash = password::hash_in_background(new)
        .await
        .map_err(|error| Failure::Internal(Box::new(error)))?;
    let tokens = if accounts.logout_on_password_change {
        TokenOnReset::Revoke
    } else {
        TokenOnReset::Keep
    };
    let change = NewPassword {
        hash: &hash,
        tokens,
        by: Changer::User,
        verified: Some(&verified),
    };
    match set_password_hash(&ctx.store, &caller.username, change).await? {
        PasswordSet::Set { .. } => {
            notify_password_changed(ctx, &caller.username).await;
            Ok(response::no_content())
        }
        // The user was deleted since: their tokens with them, the caller's included.
        PasswordSet::NoSuchUser => Err(Failure::InvalidToken),
        PasswordSet::NoLongerVerified => Err(Failure::Form(FieldErrors::of(
            "current_password",
            vec![current_password::INVALID_PASSWORD.to_owned()],
        ))),
        PasswordSet::Contention => Err(Failure::Unavailable(Box::new(KeptChanging))),
    }
}

/// The message of a new password longer than any accepted ([`MAX_PASSWORD_BYTES`]), in the
/// words of DRF's `max_length`.
const TOO_LONG: &str = "Ensure this field has no more than 4096 bytes.";

/// A new password no longer than any password accepted at all.
pub(super) fn within_limit(password: String) -> Result<String, &'static str> {
    if password.len() <= MAX_PASSWORD_BYTES {
        Ok(password)
    } else {
        Err(TOO_LONG)
    }
}

/// Other writers kept changing the user while the new password was being written.
#[derive(Debug, thiserror::Error)]
#[error("the user kept changing while their new password was being written")]
pub(super) struct KeptChanging;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_length_limit_says_the_limit() {
        assert!(TOO_LONG.contains(&format!(" {MAX_PASSWORD_BYTES} ")));
        assert_eq!(
            within_limit("p".repeat(MAX_PASSWORD_BYTES)).map(|p| p.len()),
            Ok(4096)
        );
        assert_eq!(
            within_limit("p".repeat(MAX_PASSWORD_BYTES + 1)),
            Err(TOO_LONG)
        );
    }
}
