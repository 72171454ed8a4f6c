//! djoser's password reset, in two steps.
//!
//! `POST /auth/users/reset_password/` `{"email"}` answers 204 whether or not a user has the
//! address, in the same time either way: it only posts the request to the mailbox (one queue
//! write), and the mailer looks the address up later ([`crate::mail::mailer`]).
//!
//! `POST /auth/users/reset_password_confirm/` `{"uid", "token", "new_password"}` (and
//! `re_new_password` under `PASSWORD_RESET_CONFIRM_RETYPE`) sets the password, in djoser's
//! order: each field's own checks, Django's validators that need no user, the retyping, the
//! `uid`, the `token`; then, the link proven, the checks against the user (similarity to their
//! name and address, and the breach check). The new password is written on condition that the
//! user is as the link was checked against, with every token of theirs revoked and their failed
//! logins forgotten: the link is spent.

use http::Response;
use lambda_http::{Body, Request};

use super::set_password::{KeptChanging, MISMATCH, notify_password_changed, within_limit};
use super::{Submission, emailed_link};
use crate::accounts::links::Purpose;
use crate::accounts::password::{NewPassword, PasswordSet, TokenOnReset, set_password_hash};
use crate::audit::{self, Changer};
use crate::ctx::Ctx;
use crate::endpoint::{RESET_PASSWORD, RESET_PASSWORD_CONFIRM};
use crate::http::form::{CharField, FieldErrors, FormError};
use crate::http::response::{self, Failure};
use crate::mail::MailRequest;
use crate::secrets::password::{self, Password};
use crate::secrets::validators::Attributes;
use crate::store::Store;

/// Checks the address and queues the request; 204 whoever has the address.
pub(super) async fn request_reset<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
) -> Result<Response<Body>, Failure> {
    emailed_link::request_for_address(ctx, request, &RESET_PASSWORD, |email, source| {
        MailRequest::PasswordReset { email, source }
    })
    .await
}

/// Checks the link and sets the new password.
pub(super) async fn confirm_reset<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
) -> Result<Response<Body>, Failure> {
    let retype = ctx.settings.mail.reset_confirm_retype;
    let names: &[&'static str] = if retype {
        &["uid", "token", "new_password", "re_new_password"]
    } else {
        &["uid", "token", "new_password"]
    };
    let submitted = Submission::of(request);
    let mut fields = submitted.read(&RESET_PASSWORD_CONFIRM, names).await?;
    let mut errors = FieldErrors::default();
    let link = emailed_link::uid_and_token(&mut fields, &mut errors);
    let new = errors.check(
        "new_password",
        CharField::TRIMMED
            .required(fields.take("new_password"))
            .and_then(within_limit),
    );
    let retyped = if retype {
        errors.check(
            "re_new_password",
            CharField::TRIMMED.required(fields.take("re_new_password")),
        )
    } else {
        None
    };
    let (Some((uid, token)), Some(new)) = (link, new) else {
        return Err(Failure::Form(FormError::Fields(errors)));
    };
    errors.into_result().map_err(Failure::Form)?;
    let new = Password::new(new);
    let rules = &ctx.settings.accounts.password_rules;
    // djoser validates the password before it knows the user: against nobody's attributes.
    let nobody = Attributes {
        username: "",
        email: None,
    };
    let problems = rules.problems(&new, nobody);
    if !problems.is_empty() {
        return Err(Failure::Form(FieldErrors::of("new_password", problems)));
    }
    if retype && retyped.as_deref() != Some(new.expose()) {
        return Err(Failure::Form(FormError::NonField(MISMATCH.to_owned())));
    }
    let lifetime = ctx.settings.mail.reset_lifetime_seconds;
    let link = (uid.as_str(), token.as_str());
    let user = emailed_link::linked_user(ctx, Purpose::PasswordReset, link, lifetime).await?;
    let theirs = Attributes {
        username: &user.username,
        email: Some(user.email.as_str()).filter(|email| !email.is_empty()),
    };
    let problems = rules.check(&new, theirs).await;
    if !problems.is_empty() {
        return Err(Failure::Form(FieldErrors::of("new_password", problems)));
    }
    let hash = password::hash_in_background(new)
        .await
        .map_err(|error| Failure::Internal(Box::new(error)))?;
    let change = NewPassword {
        hash: &hash,
        tokens: TokenOnReset::Revoke,
        by: Changer::User,
        verified: Some(&user),
    };
    match set_password_hash(&ctx.store, &user.username, change).await? {
        PasswordSet::Set { .. } => {
            if let Err(error) = ctx.store.clear_failures(&user.username).await {
                tracing::warn!(error = %error, "could not forget the failed logins after a reset");
            }
            audit::password_reset(&user.username);
            notify_password_changed(ctx, &user.username).await;
            Ok(response::no_content())
        }
        // Gone, or changed since the link was checked: the link died with the change.
        PasswordSet::NoSuchUser | PasswordSet::NoLongerVerified => Err(emailed_link::token_error()),
        PasswordSet::Contention => Err(Failure::Unavailable(Box::new(KeptChanging))),
    }
}
