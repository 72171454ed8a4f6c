//! `check-event STEM`: checks the answer a function gave `events/STEM.json`, read from standard
//! input (the JSON `sam local invoke` prints last), against what the events tests expect of it
//! ([`testkit::events::EXPECTED`], the one list of expected answers), and prints one line saying
//! what it got. Exits non-zero, naming the difference, when it is not the expected answer.

use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(stem) = std::env::args().nth(1) else {
        eprintln!("usage: check-event STEM < ANSWER");
        return ExitCode::from(2);
    };
    let mut output = Vec::new();
    if let Err(error) = std::io::stdin().read_to_end(&mut output) {
        eprintln!("check-event: cannot read the answer: {error}");
        return ExitCode::from(2);
    }
    // `sam local invoke` prints the function's answer as its last line.
    let answer = output
        .split(|byte| *byte == b'\n')
        .rev()
        .find(|line| line.first() == Some(&b'{'))
        .unwrap_or_default()
        .to_vec();
    match std::panic::catch_unwind(|| testkit::events::check_output(&stem, &answer)) {
        Ok(described) => {
            println!("{described}");
            ExitCode::SUCCESS
        }
        // The panic's message (the difference) is already on standard error.
        Err(_) => ExitCode::FAILURE,
    }
}
