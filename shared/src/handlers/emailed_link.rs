//! Emailed links, asked for and followed. Asked for: an address checked and the request queued
//! (one write whoever has the address). Followed: the `uid` and `token` (djoser's
//! `UidAndTokenSerializer`), both required, then the `uid`'s user, then the token checked
//! against them as they are now.

use http::Response;
use lambda_http::{Body, Request};

use super::Submission;
use crate::accounts::links::{self, Purpose};
use crate::clock;
use crate::ctx::Ctx;
use crate::endpoint::Endpoint;
use crate::http::form::{CharField, EmailField, FieldErrors, Fields, FormError};
use crate::http::response::{self, Failure};
use crate::mail::MailRequest;
use crate::store::{Store, User};

/// djoser's message for a `uid` that names no user.
const INVALID_UID: &str = "Invalid user id or user doesn't exist.";
/// djoser's message for a token that is not the user's (or no longer).
const INVALID_TOKEN: &str = "Invalid token for given user.";

/// Reads `endpoint`'s `{"email"}`, posts the mail request `requested` makes of the address and
/// the client's, and answers 204, whoever has the address.
pub(super) async fn request_for_address<S: Store>(
    ctx: &Ctx<S>,
    request: Request,
    endpoint: &Endpoint,
    requested: impl FnOnce(String, Option<String>) -> MailRequest,
) -> Result<Response<Body>, Failure> {
    let submitted = Submission::of(request);
    let mut fields = submitted.read(endpoint, &["email"]).await?;
    let email = EmailField::required(fields.take("email"))
        .map_err(|messages| Failure::Form(FieldErrors::of("email", messages)))?;
    ctx.mailbox
        .post(&requested(email, submitted.source))
        .await?;
    Ok(response::no_content())
}

/// The `uid` and `token` fields of `fields`, each as DRF's `CharField` reads it; their errors
/// are added to `errors`.
pub(super) fn uid_and_token(
    fields: &mut Fields,
    errors: &mut FieldErrors,
) -> Option<(String, String)> {
    let uid = errors.check("uid", CharField::TRIMMED.required(fields.take("uid")));
    let token = errors.check("token", CharField::TRIMMED.required(fields.take("token")));
    uid.zip(token)
}

/// The `uid` and `token` of a body that holds nothing else: the 400 of either field.
pub(super) async fn read(
    submitted: &Submission,
    endpoint: &Endpoint,
) -> Result<(String, String), Failure> {
    let mut fields = submitted.read(endpoint, &["uid", "token"]).await?;
    let mut errors = FieldErrors::default();
    let link = uid_and_token(&mut fields, &mut errors);
    match link {
        Some(link) if errors.is_empty() => Ok(link),
        _ => Err(Failure::Form(FormError::Fields(errors))),
    }
}

/// The user the link of `uid` and `token` is for, as stored now, if the token is theirs for
/// `purpose` and at most `lifetime` seconds old: the `uid`'s 400 when it names no user, the
/// token's when it is not theirs (any more).
pub(super) async fn linked_user<S: Store>(
    ctx: &Ctx<S>,
    purpose: Purpose,
    (uid, token): (&str, &str),
    lifetime: u64,
) -> Result<User, Failure> {
    let user = match links::id_of(uid) {
        Some(id) => ctx.store.user_with_id(id).await?,
        None => None,
    };
    let Some(user) = user else {
        return Err(Failure::Form(FieldErrors::of(
            "uid",
            vec![INVALID_UID.to_owned()],
        )));
    };
    let valid = links::is_valid(
        ctx.store.sealer(),
        purpose,
        &user,
        token,
        (clock::now(), lifetime),
    )
    .await
    .map_err(|error| Failure::Unavailable(Box::new(error)))?;
    if valid { Ok(user) } else { Err(token_error()) }
}

/// The token's 400.
pub(super) fn token_error() -> Failure {
    Failure::Form(FieldErrors::of("token", vec![INVALID_TOKEN.to_owned()]))
}
