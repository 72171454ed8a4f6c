//! `coldstart DIR`: the functions' start-up and steady-state costs next to an empty `lambda_http`
//! handler, all built with the same release profile and found in DIR (target/release).
//!
//! Each binary runs unchanged under the Lambda Runtime API stand-in, against DynamoDB at
//! AWS_ENDPOINT_URL_DYNAMODB (moto), and is fed its event from events/. Printed per binary:
//! init (process start to its first poll for an event: Lambda's Init Duration), cold start
//! (process start to its first answer, which for login includes an argon2 verification); cold
//! start again with DynamoDB's answers replayed from memory by a proxy (the store's latency taken
//! out, leaving the function's own cost); all three medians of COLD_RUNS starts interleaved
//! across the binaries; warm invocation (median of WARM_INVOKES); peak RSS (VmHWM after the warm
//! run); file size; each also as a ratio to the empty handler. Every answer must be the one the
//! events test expects of the event.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark and test tool: a failed expectation is its failure, reported where it happened"
)]

use std::time::{Duration, Instant};

use testkit::events::{
    check_output, deployed_settings, ensure_event_token, events_dir, function_env,
    store_with_event_user,
};
use testkit::fault_proxy::FaultProxy;
use testkit::process::memory_kib;
use testkit::runtime_api::{FunctionProcess, Outcome, RuntimeApi};

/// A binary to measure, the event it answers, and whether its answer is the one the events
/// test expects (the empty handler answers every event with an empty 200).
struct Subject {
    name: &'static str,
    event: &'static str,
    checked: bool,
}

impl Subject {
    /// The stem of its event, when its answer is checked against the event's expected one.
    fn checked_event(&self) -> Option<&'static str> {
        self.checked.then_some(self.event)
    }
}

/// The empty handler, then every function of the manifest with its benchmark event.
fn subjects() -> Vec<Subject> {
    let empty = Subject {
        name: "empty-lambda",
        event: "whoami-token",
        checked: false,
    };
    let functions = authtoken::manifest::FUNCTIONS
        .iter()
        .map(|function| Subject {
            name: function.binary,
            event: function.bench_event,
            checked: true,
        });
    std::iter::once(empty).chain(functions).collect()
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default)
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

/// Invokes the function with an event and returns how long its answer took; a figure for any
/// other answer than the event's expected one (`stem`'s; `None`: a 200) would measure the
/// wrong work, so that panics.
async fn invoke(
    api: &RuntimeApi,
    (stem, event): (Option<&str>, &[u8]),
    process: &FunctionProcess,
) -> Duration {
    let started = Instant::now();
    let outcome = api.invoke(event, Duration::from_secs(30)).await;
    let elapsed = started.elapsed();
    let Ok(Outcome::Response(answer)) = outcome else {
        panic!(
            "{stem:?}: no answer: {outcome:?}; log: {:#?}",
            process.log()
        );
    };
    match stem {
        Some(stem) => {
            check_output(stem, &answer);
        }
        None => {
            let answer: serde_json::Value = serde_json::from_slice(&answer).expect("JSON");
            assert_eq!(answer["statusCode"], 200, "{answer}");
        }
    }
    elapsed
}

/// Starts `binary` under a fresh Runtime API stand-in, answers `event`, and returns
/// (init, cold start): the time to its first poll and to its answer.
async fn cold_start(
    binary: &str,
    env: &[(&str, String)],
    event: (Option<&str>, &[u8]),
) -> (Duration, Duration) {
    let api = RuntimeApi::start().await;
    let process = FunctionProcess::spawn(binary, &api, env);
    invoke(&api, event, &process).await;
    let cold = process.started().elapsed();
    let polled = api.first_poll().expect("the function polled for its event");
    (polled.duration_since(process.started()), cold)
}

#[tokio::main]
async fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: coldstart TARGET_RELEASE_DIR");
    let cold_runs = env_number("COLD_RUNS", 10);
    let warm_invokes = env_number("WARM_INVOKES", 200);

    let store = store_with_event_user().await;
    let mut env = function_env(&store, testkit::dynamo::endpoint());
    env.push(("AWS_LAMBDA_LOG_LEVEL", "INFO".to_owned()));
    let subjects = subjects();
    // Each binary's environment, as the stack deploys it.
    let envs: Vec<Vec<(&str, String)>> = subjects
        .iter()
        .map(|subject| {
            let mut own = env.clone();
            own.extend(deployed_settings(subject.name));
            own
        })
        .collect();
    let events: Vec<Vec<u8>> = subjects
        .iter()
        .map(|subject| {
            std::fs::read(events_dir().join(format!("{}.json", subject.event))).expect("event")
        })
        .collect();
    let binaries: Vec<String> = subjects
        .iter()
        .map(|subject| format!("{dir}/{}", subject.name))
        .collect();

    // A replaying proxy per binary learns its requests from one run, with the token in place:
    // one binary's answers are never another's (a read of the user after a logout-all, replayed
    // to the sessions' list, would be an empty list).
    let mut proxies = Vec::with_capacity(binaries.len());
    let mut replay_envs = Vec::with_capacity(binaries.len());
    for (index, binary) in binaries.iter().enumerate() {
        let replay = FaultProxy::start(testkit::dynamo::endpoint()).await;
        replay.record_answers();
        let mut replay_env = function_env(&store, replay.endpoint());
        replay_env.push(("AWS_LAMBDA_LOG_LEVEL", "INFO".to_owned()));
        replay_env.extend(deployed_settings(subjects[index].name));
        let event = (subjects[index].checked_event(), events[index].as_slice());
        ensure_event_token(&store).await;
        cold_start(binary, &replay_env, event).await;
        replay.replay_answers();
        proxies.push(replay);
        replay_envs.push(replay_env);
    }

    // Cold starts, interleaved across the binaries so that noise falls on all alike.
    let mut init: Vec<Vec<Duration>> = vec![Vec::new(); subjects.len()];
    let mut cold: Vec<Vec<Duration>> = vec![Vec::new(); subjects.len()];
    let mut cold_replayed: Vec<Vec<Duration>> = vec![Vec::new(); subjects.len()];
    let mut first: Vec<Vec<Duration>> = vec![Vec::new(); subjects.len()];
    let mut first_replayed: Vec<Vec<Duration>> = vec![Vec::new(); subjects.len()];
    for _ in 0..cold_runs {
        for (index, binary) in binaries.iter().enumerate() {
            ensure_event_token(&store).await;
            let event = (subjects[index].checked_event(), events[index].as_slice());
            let (init_time, cold_time) = cold_start(binary, &envs[index], event).await;
            init[index].push(init_time);
            cold[index].push(cold_time);
            first[index].push(cold_time.saturating_sub(init_time));
            let (init_time, cold_time) = cold_start(binary, &replay_envs[index], event).await;
            cold_replayed[index].push(cold_time);
            first_replayed[index].push(cold_time.saturating_sub(init_time));
        }
    }

    // Warm invocations and peak memory, one process per binary; then warm invocations with
    // DynamoDB's answers replayed.
    let mut warm = Vec::new();
    let mut warm_replayed = Vec::new();
    let mut first_five = Vec::new();
    let mut rss = Vec::new();
    for (index, binary) in binaries.iter().enumerate() {
        ensure_event_token(&store).await;
        let api = RuntimeApi::start().await;
        let process = FunctionProcess::spawn(binary, &api, &envs[index]);
        let mut times = Vec::with_capacity(warm_invokes + 1);
        for _ in 0..=warm_invokes {
            ensure_event_token(&store).await;
            let event = (subjects[index].checked_event(), events[index].as_slice());
            times.push(invoke(&api, event, &process).await);
        }
        first_five.push(times[..5].to_vec());
        warm.push(median(times[1..].to_vec()));
        let replay_api = RuntimeApi::start().await;
        let replayed = FunctionProcess::spawn(binary, &replay_api, &replay_envs[index]);
        let mut times = Vec::with_capacity(warm_invokes + 1);
        for _ in 0..=warm_invokes {
            let event = (subjects[index].checked_event(), events[index].as_slice());
            times.push(invoke(&replay_api, event, &replayed).await);
        }
        warm_replayed.push(median(times[1..].to_vec()));
        let (peak, _) = memory_kib(process.id());
        assert!(peak > 0, "no VmHWM for the function's process");
        rss.push(peak);
    }

    let sizes: Vec<u64> = binaries
        .iter()
        .map(|binary| std::fs::metadata(binary).expect("binary").len())
        .collect();
    let init: Vec<Duration> = init.into_iter().map(median).collect();
    let cold: Vec<Duration> = cold.into_iter().map(median).collect();
    let cold_replayed: Vec<Duration> = cold_replayed.into_iter().map(median).collect();
    let first: Vec<Duration> = first.into_iter().map(median).collect();
    let first_replayed: Vec<Duration> = first_replayed.into_iter().map(median).collect();
    println!(
        "init and cold start: medians of {cold_runs} starts; warm: median of {warm_invokes} \
         invocations; ratios to the empty lambda_http handler;\n\
         cold*: cold start with DynamoDB's answers replayed from memory (the store's latency out);\n\
         1st-warm: the first invocation (cold start less init) less a warm one; 1st-warm*: the \
         same with DynamoDB's answers replayed"
    );
    println!(
        "{:<13} {:>8} {:>6} {:>8} {:>6} {:>8} {:>6} {:>8} {:>6} {:>11} {:>12} {:>10} {:>6} {:>9} {:>6}",
        "binary",
        "init ms",
        "ratio",
        "cold ms",
        "ratio",
        "cold* ms",
        "ratio",
        "warm ms",
        "ratio",
        "1st-warm ms",
        "1st-warm* ms",
        "peak RSS",
        "ratio",
        "size",
        "ratio"
    );
    for index in 0..subjects.len() {
        println!(
            "{:<13} {:>8.2} {:>6.2} {:>8.2} {:>6.2} {:>8.2} {:>6.2} {:>8.3} {:>6.2} {:>11.2} {:>12.2} {:>6} KiB {:>6.2} {:>5} KiB {:>6.2}",
            subjects[index].name,
            init[index].as_secs_f64() * 1000.0,
            init[index].as_secs_f64() / init[0].as_secs_f64(),
            cold[index].as_secs_f64() * 1000.0,
            cold[index].as_secs_f64() / cold[0].as_secs_f64(),
            cold_replayed[index].as_secs_f64() * 1000.0,
            cold_replayed[index].as_secs_f64() / cold_replayed[0].as_secs_f64(),
            warm[index].as_secs_f64() * 1000.0,
            warm[index].as_secs_f64() / warm[0].as_secs_f64(),
            (first[index].as_secs_f64() - warm[index].as_secs_f64()) * 1000.0,
            (first_replayed[index].as_secs_f64() - warm_replayed[index].as_secs_f64()) * 1000.0,
            rss[index],
            rss[index] as f64 / rss[0] as f64,
            sizes[index] / 1024,
            sizes[index] as f64 / sizes[0] as f64,
        );
    }
    println!("\nthe first five invocations of one process, against moto (ms)");
    for (index, times) in first_five.iter().enumerate() {
        let times: Vec<String> = times
            .iter()
            .map(|time| format!("{:.2}", time.as_secs_f64() * 1000.0))
            .collect();
        println!("{:<13} {}", subjects[index].name, times.join("  "));
    }
}
