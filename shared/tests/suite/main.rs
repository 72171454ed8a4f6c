//! The shared crate's integration tests, as one test binary (one link of the AWS SDK and one
//! `cargo test` process for them all, their tests run in parallel): each module is one subject,
//! on the memory store, on DynamoDB (moto, fresh tables per test) and, where it is about
//! answers, through the handlers. Run one with `cargo test -p authtoken --test suite MODULE::`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

mod accounts;
mod authorizer;
mod breaches;
mod calls;
mod contract;
mod django;
mod email;
mod events;
mod faults;
mod generated;
mod guard;
mod hostile_input;
mod import;
mod invariants;
mod keys_at_rest;
mod lockout;
mod mail;
mod password_rules;
mod policy;
mod sliding;
mod spans;
mod token_format;
