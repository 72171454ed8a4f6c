//! djoser's `current_password` field, which `set_password` and `DELETE /auth/users/me/` ask
//! for: trimmed, required, and checked as a login checks a password, under the lockout, so that
//! a stolen key is no better a password-guessing oracle than the login.

use crate::audit::PasswordCheck;
use crate::ctx::Ctx;
use crate::http::form::{CharField, Raw};
use crate::http::response::Failure;
use crate::login::{self, LoginError};
use crate::secrets::password::Password;
use crate::store::{Store, User};
use crate::tokens::Caller;

/// djoser's message for a current password that is not the user's.
pub(super) const INVALID_PASSWORD: &str = "Invalid password.";

/// The caller as stored once `raw` is verified as their password (from `source`, the client's
/// address); `Ok(Err(message))` with the field's 400 message when it is missing, blank or not
/// theirs; `Err` for a locked name (429) or a store failure.
pub(super) async fn check<S: Store>(
    ctx: &Ctx<S>,
    caller: &Caller,
    raw: Raw,
    source: Option<&str>,
) -> Result<Result<User, &'static str>, Failure> {
    let current = match CharField::TRIMMED.required(raw) {
        Ok(current) => Password::new(current),
        Err(message) => return Ok(Err(message)),
    };
    let verified = login::verify_password(
        &ctx.store,
        &ctx.settings,
        &caller.username,
        &current,
        source,
        PasswordCheck::CurrentPassword,
    );
    match verified.await {
        Ok(verified) => Ok(Ok(verified.user)),
        Err(LoginError::InvalidCredentials) => Ok(Err(INVALID_PASSWORD)),
        Err(other) => Err(other.into()),
    }
}
