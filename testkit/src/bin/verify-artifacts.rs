//! `verify-artifacts [--runner "PROGRAM ARGS"] BUILD_DIR`: proves that the artifacts `sam build`
//! left in BUILD_DIR (`<Name>Function/bootstrap`, as deployed) answer their events.
//!
//! Each `bootstrap` runs unchanged under the Lambda Runtime API stand-in, started by the runner
//! if one is given (`qemu-aarch64 -L /usr/aarch64-linux-gnu` for the arm64 build), against
//! DynamoDB at AWS_ENDPOINT_URL_DYNAMODB (moto), with fresh tables; it is fed every
//! `events/<name>-*.json` and each answer is checked, as `functions/tests/suite/events.rs` does for
//! the host build, and so is its log (no password, key or key digest at TRACE). Every function
//! that has events must have an artifact. Exits non-zero (with a panic naming the event) on
//! the first wrong answer.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use testkit::events::{event_files, function_of, run_events};
use testkit::runtime_api::Launcher;

const USAGE: &str = "usage: verify-artifacts [--runner \"PROGRAM ARGS\"] BUILD_DIR";

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut launcher = Launcher::native();
    let mut build_dir = None;
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.len()) {
            ("--runner", 1..) => launcher = Launcher::under(&args.next().unwrap_or_default()),
            (dir, 0) if !dir.starts_with('-') => build_dir = Some(PathBuf::from(dir)),
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(build_dir) = build_dir else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };

    let artifacts = match artifacts_in(&build_dir) {
        Ok(artifacts) => artifacts,
        Err(message) => {
            eprintln!("verify-artifacts: {message}");
            return ExitCode::FAILURE;
        }
    };
    let with_events: BTreeSet<String> = event_files()
        .iter()
        .map(|(stem, _)| function_of(stem).to_owned())
        .collect();
    let built: BTreeSet<String> = artifacts.iter().map(|(name, _)| name.clone()).collect();
    let missing: Vec<_> = with_events.difference(&built).collect();
    if !missing.is_empty() {
        eprintln!(
            "verify-artifacts: no artifact in {} for {missing:?}",
            build_dir.display()
        );
        return ExitCode::FAILURE;
    }

    let mut events = 0;
    for (function, bootstrap) in &artifacts {
        println!(
            "{} ({function}, {})",
            bootstrap.display(),
            architecture(bootstrap)
        );
        let binary = bootstrap.to_string_lossy();
        for line in run_events(function, &launcher, &binary).await {
            println!("  {line}");
            events += 1;
        }
        println!("  log: no password, key or key digest");
    }
    println!(
        "verify-artifacts: {} functions, {events} events: every answer as expected",
        artifacts.len()
    );
    ExitCode::SUCCESS
}

/// The functions in a `sam build` output folder: (function name, bootstrap path), where the
/// folder `LoginFunction` holds the function `login`.
fn artifacts_in(build_dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let entries = std::fs::read_dir(build_dir)
        .map_err(|error| format!("cannot read {}: {error}", build_dir.display()))?;
    let mut artifacts = Vec::new();
    for entry in entries.flatten() {
        let folder = entry.file_name().to_string_lossy().into_owned();
        let bootstrap = entry.path().join("bootstrap");
        if let Some(name) = folder.strip_suffix("Function")
            && bootstrap.is_file()
        {
            artifacts.push((name.to_lowercase(), bootstrap));
        }
    }
    artifacts.sort();
    if artifacts.is_empty() {
        return Err(format!(
            "no <Name>Function/bootstrap in {}: run `sam build` (bash scripts/package.sh) first",
            build_dir.display()
        ));
    }
    Ok(artifacts)
}

/// The machine an ELF file is built for, read from its header.
fn architecture(binary: &Path) -> &'static str {
    let header = std::fs::read(binary).unwrap_or_default();
    match header.get(18..20) {
        _ if !header.starts_with(b"\x7fELF") => "not an ELF file",
        Some([183, 0]) => "ELF arm64",
        Some([62, 0]) => "ELF x86-64",
        _ => "ELF, another machine",
    }
}
