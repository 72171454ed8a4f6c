//! The command line's integration tests, as one test binary: the `authtoken` binary run as an
//! operator would (administration, import, the local server over HTTP, its hardening and its
//! load), against moto. Run one with `cargo test -p authtoken-cli --test suite MODULE::`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

mod admin;
mod contract;
mod import;
mod load;
mod serve;
mod serve_hardening;
