//! The HTTP layer: what the endpoints read from a request and how they answer, with DRF's exact
//! rules. The domain below it (tokens, logins, the store) knows nothing of HTTP or Lambda.
//!
//! - [`header`]: the `Authorization` header; [`authenticate`]: the caller it authenticates;
//! - [`form`]: the login body (JSON, form, multipart), within its size limit;
//! - [`media`]: media types and content negotiation;
//! - [`request`]: what a request says about its client (address, API Gateway's request id);
//! - [`response`]: JSON responses and the mapping from failures to status codes.

pub mod authenticate;
pub mod form;
pub mod header;
pub mod media;
pub mod request;
pub mod response;
