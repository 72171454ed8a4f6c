//! Django itself, as the test command installs it into `.venv`, for the tests that hold a rule
//! of this project to Django's own code.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Runs the Python `script` with Django's `.venv` interpreter, `input` as JSON on its standard
/// input, and returns the JSON it writes; panics, saying how to get Django, if it cannot run.
pub fn run(script: &str, input: &Value) -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv/bin/python");
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run {}: {error}. This test needs Django in .venv: run `bash \
                 scripts/test.sh`, or `.venv/bin/pip install --require-hashes -r \
                 scripts/requirements-test.txt`",
                python.display()
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "Django did not run: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}
