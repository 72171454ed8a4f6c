//! djoser's activation, under `SEND_ACTIVATION_EMAIL`.
//!
//! `POST /auth/users/activation/` `{"uid", "token"}` activates the user the emailed link is for,
//! in djoser's order: both fields, the `uid`, the token; then 403 `{"detail": "Stale token for
//! given user."}` if the user is active already (the token stays valid after the activation, as
//! djoser's does, until the user logs in or gets another link). The user is activated on
//! condition that they are as the link was checked against; under `SEND_CONFIRMATION_EMAIL` a
//! notice follows.
//!
//! `POST /auth/users/resend_activation/` `{"email"}` answers 204 whether or not an inactive user
//! has the address, in the same time either way: it only posts the request to the mailbox, as
//! the password reset does.

use http::Response;
use lambda_http::{Body, Request};

use super::{Submission, emailed_link};
use crate::accounts::links::Purpose;
use crate::audit::{self, Changer};
use crate::ctx::Ctx;
use crate::endpoint::{ACTIVATION, RESEND_ACTIVATION};
use crate::http::response::{self, Failure};
use crate::mail::MailRequest;
use crate::store::Store;

/// Checks the link and activates its user.
pub(super) async fn activate<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
) -> Result<Response<Body>, Failure> {
    let submitted = Submission::of(request);
    let (uid, token) = emailed_link::read(&submitted, &ACTIVATION).await?;
    let lifetime = ctx.settings.mail.activation_lifetime_seconds;
    let link = (uid.as_str(), token.as_str());
    let user = emailed_link::linked_user(ctx, Purpose::Activation, link, lifetime).await?;
    if user.active {
        return Err(Failure::StaleToken);
    }
    if !user.awaiting_activation {
        // Deactivated by an operator since: no link of theirs activates them.
        return Err(emailed_link::token_error());
    }
    if !ctx.store.activate_linked(&user).await? {
        // Changed since the link was checked: activated meanwhile (by the same link, or an
        // operator), or the link died with the change.
        let now = ctx.store.user(&user.username).await?;
        return Err(if now.is_some_and(|now| now.active) {
            Failure::StaleToken
        } else {
            emailed_link::token_error()
        });
    }
    audit::user_activation_changed(&user.username, true, Changer::User);
    if ctx.settings.mail.send_confirmation {
        let notice = MailRequest::Confirmation {
            username: user.username,
            source: submitted.source,
        };
        ctx.mailbox.post_or_log(&notice).await;
    }
    Ok(response::no_content())
}

/// Checks the address and queues the request; 204 whoever has the address.
pub(super) async fn resend<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
) -> Result<Response<Body>, Failure> {
    emailed_link::request_for_address(ctx, request, &RESEND_ACTIVATION, |email, source| {
        MailRequest::ResendActivation { email, source }
    })
    .await
}
