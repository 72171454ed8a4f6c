//! `load ADDR CLIENTS SECONDS SCENARIO`: a bounded load run against a local server whose users
//! `load-1` .. `load-CLIENTS` exist with password "load password" (see scripts/load.sh).
//! Prints requests, errors and latency percentiles; exits 1 if any request failed.

use std::process::ExitCode;
use std::time::Duration;

use testkit::load::{Load, run};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, clients, seconds, scenario] = args.as_slice() else {
        eprintln!("usage: load ADDR CLIENTS SECONDS mixed|whoami|login");
        return ExitCode::from(2);
    };
    let parsed = (
        addr.parse(),
        clients.parse(),
        seconds.parse::<f64>(),
        scenario.parse(),
    );
    let (Ok(addr), Ok(clients), Ok(seconds), Ok(scenario)) = parsed else {
        eprintln!("usage: load ADDR CLIENTS SECONDS mixed|whoami|login");
        return ExitCode::from(2);
    };
    let load = Load {
        addr,
        clients,
        duration: Duration::from_secs_f64(seconds),
        max_requests: 5_000_000,
        scenario,
    };
    let report = run(load).await;
    println!(
        "{scenario:?}: {clients} clients for {:.1} s against http://{addr}",
        report.elapsed.as_secs_f64()
    );
    print!("{}", report.table());
    if report.errors() > 0 {
        eprintln!("{} request(s) failed", report.errors());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
