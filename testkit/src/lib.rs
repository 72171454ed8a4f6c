//! Test support shared by the workspace's tests and benchmarks: never part of a deployed binary.
//!
//! - [`dynamo`]: a client for the local DynamoDB-compatible server, and fresh tables per test;
//! - [`runtime_api`]: a Lambda Runtime API stand-in that runs a real function binary;
//! - [`process`]: a child process (a function, `authtoken serve`) with its output collected;
//! - [`fault_proxy`]: a proxy that makes DynamoDB misbehave on request;
//! - [`load`]: a bounded load generator for the local server;
//! - [`tls_proxy`]: DynamoDB over HTTPS, with a certificate from a test authority;
//! - [`events`]: the files in `events/`, and the answer each must get from its function.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a failed expectation is the test's failure, reported where it happened"
)]
pub mod dynamo;
pub mod events;
pub mod fault_proxy;
pub mod load;
pub mod process;
pub mod runtime_api;
pub mod tls_proxy;
