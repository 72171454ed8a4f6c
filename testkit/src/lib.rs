//! Test support shared by the workspace's tests and benchmarks: never part of a deployed binary.
//!
//! - [`app`]: `TestApp`, one harness over the handlers (memory or DynamoDB store) or a running
//!   `authtoken serve` (or an API started elsewhere, such as `sam local start-api`), and
//!   [`contract`]: the contract's cases, run on each of them, as are [`lockout`]'s,
//!   [`policy`]'s (the token policies) and [`accounts`]' (djoser's endpoints); [`gateway`]:
//!   what the API in front of the functions adds (the authorizer's route);
//! - [`cli`]: the `authtoken` binary run against tables of a test's own, as an operator would;
//! - [`serve`]: `authtoken serve` as a child process; [`http_client`]: a raw HTTP/1.1 client;
//! - [`dynamo`]: a client for the local DynamoDB-compatible server, and fresh tables per test;
//! - [`runtime_api`]: a Lambda Runtime API stand-in that runs a real function binary;
//! - [`process`]: a child process (a function, `authtoken serve`) with its output collected;
//! - [`fault_proxy`]: a proxy that makes DynamoDB misbehave on request;
//! - [`load`]: a bounded load generator for the local server; [`serve_stress`]: slow,
//!   unfinished and hung-up clients for it;
//! - [`tls_proxy`]: DynamoDB over HTTPS, with a certificate from a test authority;
//! - [`events`]: the files in `events/`, and the answer each must get from its function;
//! - [`interleave`]: a store that runs another writer's step just before a token write;
//! - [`breaches`]: a stand-in for Pwned Passwords' range API; [`mail`]: the emails the apps
//!   write to the test outbox, and the links in them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a failed expectation is the test's failure, reported where it happened"
)]
pub mod accounts;
pub mod app;
pub mod breaches;
pub mod cli;
pub mod contract;
pub mod dynamo;
pub mod events;
pub mod fault_proxy;
pub mod gateway;
pub mod http_client;
pub mod interleave;
pub mod keys;
pub mod load;
pub mod lockout;
pub mod mail;
pub mod policy;
pub mod process;
pub mod request;
pub mod runtime_api;
pub mod serve;
pub mod serve_stress;
pub mod tls_proxy;
