//! The system, declared once: every Lambda function (its binary, what it serves, the DynamoDB
//! actions its role may hold) and every setting (its variable, its stack parameter, default,
//! bounds, meaning and readers).
//!
//! Everything else derives from these declarations or is checked against them: settings are
//! parsed through [`Setting`] ([`crate::config`]); `manifest.json` at the repository root is
//! their JSON form, which the scripts read (the deploy script's parameters, the template check,
//! the benchmark's binaries); the tables of `docs/CONFIGURATION.md` and `docs/DEPLOYING.md` are
//! generated from them ([`render`]). A test regenerates both and fails while they are stale:
//! `cargo test -p authtoken --test suite generated` rewrites them. `template.yaml` stays written
//! by hand and `scripts/check_template.py` checks it against `manifest.json`.

pub mod functions;
pub mod render;
pub mod settings;

pub use functions::{FUNCTIONS, Function, Grant, Kind, Resource};
pub use settings::{Allowed, Readers, SETTINGS, Setting};
