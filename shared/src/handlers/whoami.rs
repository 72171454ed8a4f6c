//! whoami's work: the username the presented token authenticates (the pipeline has done the one
//! store read).

use http::{Response, StatusCode};
use lambda_http::Body;

use super::UsernameBody;
use crate::auth::Caller;
use crate::http::response;

/// `{"username": ...}` for the caller.
pub(super) fn whoami(caller: &Caller) -> Response<Body> {
    response::json(StatusCode::OK, &UsernameBody::from(caller))
}
