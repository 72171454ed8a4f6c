//! whoami's work: the username the presented token authenticates (the pipeline has done the one
//! store read).

use http::{Response, StatusCode};
use lambda_http::Body;

use super::UsernameBody;
use crate::http::response;
use crate::tokens::Caller;

/// `{"username": ...}` for the caller.
pub(super) fn whoami(caller: &Caller) -> Response<Body> {
    response::json(StatusCode::OK, &UsernameBody::from(caller))
}
