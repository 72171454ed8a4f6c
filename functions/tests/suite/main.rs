//! The functions' tests, as one test binary: each binary of this package built and run
//! unchanged under a Lambda Runtime API stand-in, against DynamoDB (moto). Run one module with
//! `cargo test -p functions --test suite MODULE::`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

mod authorizer;
mod events;
mod login_audit;
mod login_init;
mod mailer;
mod whoami_tls;

use std::path::PathBuf;

/// The path of this package's binary `name`, as cargo built it for these tests (beside the
/// login's, whose path cargo hands the tests).
pub fn binary(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_login")).with_file_name(name);
    assert!(path.is_file(), "no binary {}", path.display());
    path.to_string_lossy().into_owned()
}
