//! djoser's registration (`POST /auth/users/`, `UserCreateSerializer`), when
//! `REGISTRATION=open`: `{"email"?, "username", "password"}` in, the new user's
//! `{"email", "username", "id"}` out, 201. Under `SEND_ACTIVATION_EMAIL` the address is required
//! and the user inactive until they follow the link queued for them; otherwise they are active
//! (and told so by email under `SEND_CONFIRMATION_EMAIL`).
//!
//! The checks run in djoser's order, with its messages: each field's own, every validator of a
//! field at once (the username: Django's `UnicodeUsernameValidator`, taken or not, at most 150
//! characters, no null character); then, once every field is valid, Django's password validators
//! against the username and the email address. The name is stored in NFKC, as Django's
//! `create_user` stores it; a name that NFKC turns into a taken one, or one taken meanwhile, is
//! answered as taken.

use http::{Response, StatusCode};
use lambda_http::{Body, Request};
use serde::Serialize;

use super::{Submission, username_field};
use crate::audit;
use crate::clock;
use crate::ctx::Ctx;
use crate::endpoint::REGISTER;
use crate::http::form::{CharField, EmailField, FieldErrors, FormError};
use crate::http::response::{self, Failure};
use crate::mail::MailRequest;
use crate::secrets::password::{self, MAX_PASSWORD_BYTES, Password};
use crate::secrets::validators::Attributes;
use crate::store::{Store, User};
use crate::username::Username;

/// djoser's answer: the `UserCreateSerializer`'s fields in its order.
#[derive(Serialize)]
struct Registered<'a> {
    email: &'a str,
    username: &'a str,
    id: u64,
}

/// Checks the body, creates the user, and answers them.
pub(super) async fn register<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
) -> Result<Response<Body>, Failure> {
    let submitted = Submission::of(request);
    let mut fields = submitted
        .read(&REGISTER, &["email", "username", "password"])
        .await?;
    let mut errors = FieldErrors::default();
    let mail = &ctx.settings.mail;
    let email = if mail.send_activation {
        EmailField::required_and_stored(fields.take("email"))
    } else {
        EmailField::optional(fields.take("email")).map(Option::unwrap_or_default)
    };
    let email = match email {
        Ok(email) => email,
        Err(messages) => {
            errors.add("email", messages);
            String::new()
        }
    };
    let name = match username_field::check(ctx, fields.take("username")).await? {
        Ok(name) => Some(name),
        Err(messages) => {
            errors.add("username", messages);
            None
        }
    };
    let password = errors.check(
        "password",
        CharField::TRIMMED.required(fields.take("password")),
    );
    let (Some(name), Some(password)) = (name, password) else {
        return Err(Failure::Form(FormError::Fields(errors)));
    };
    errors.into_result().map_err(Failure::Form)?;
    let password = Password::new(password);
    let user = Attributes {
        username: &name,
        email: Some(email.as_str()).filter(|email| !email.is_empty()),
    };
    let problems = ctx
        .settings
        .accounts
        .password_rules
        .check(&password, user)
        .await;
    if !problems.is_empty() {
        return Err(Failure::Form(FieldErrors::of("password", problems)));
    }
    if !password.within_limit() {
        let message = format!("Ensure this field has no more than {MAX_PASSWORD_BYTES} bytes.");
        return Err(Failure::Form(FieldErrors::of("password", vec![message])));
    }
    let username = Username::parse(&name, ctx.settings.usernames)
        .map_err(|_| username_error(vec![username_field::too_long()]))?
        .into_string();
    let password_hash = password::hash_in_background(password)
        .await
        .map_err(|error| Failure::Internal(Box::new(error)))?;
    let id = ctx.store.allocate_user_id().await?;
    let user = User {
        username,
        password_hash,
        active: !mail.send_activation,
        per_user_token: None,
        per_login_tokens: Vec::new(),
        created: clock::now(),
        credentials: 0,
        id: Some(id),
        email,
        link_nonce: None,
        awaiting_activation: mail.send_activation,
    };
    if !ctx.store.create_user(&user).await? {
        return Err(username_error(vec![username_field::TAKEN.to_owned()]));
    }
    if mail.send_activation {
        let link = MailRequest::Activation {
            username: user.username.clone(),
            source: submitted.source,
        };
        if let Err(error) = ctx.mailbox.post(&link).await {
            undo(ctx, &user).await;
            return Err(error.into());
        }
    } else if mail.send_confirmation {
        let notice = MailRequest::Confirmation {
            username: user.username.clone(),
            source: submitted.source,
        };
        ctx.mailbox.post_or_log(&notice).await;
    }
    audit::user_registered(&user.username);
    Ok(response::json(
        StatusCode::CREATED,
        &Registered {
            email: &user.email,
            username: &user.username,
            id,
        },
    ))
}

/// Deletes the user just registered, whose activation link could not be queued: without it
/// they could never log in, and their name would stay taken. The registration answers 503 and
/// can be tried again.
async fn undo<S: Store>(ctx: &Ctx<S>, user: &User) {
    match ctx.store.delete_user(user).await {
        Ok(true) => tracing::warn!("registration undone: the activation link could not be queued"),
        Ok(false) => tracing::warn!("registration not undone: the user changed meanwhile"),
        Err(error) => tracing::warn!(error = %error, "registration not undone"),
    }
}

/// The 400 of the username field.
fn username_error(messages: Vec<String>) -> Failure {
    Failure::Form(FieldErrors::of("username", messages))
}
