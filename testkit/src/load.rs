//! A bounded HTTP load generator for the local server: many concurrent clients, each with its own
//! user, for a fixed time (and at most a fixed number of requests), recording every request's
//! latency and every error. Loopback only.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use authtoken::endpoint;
use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// What each client does in a loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Nine whoamis to one login (which returns the client's current token).
    Mixed,
    /// Whoami only.
    Whoami,
    /// Login only (each one verifies a password).
    Login,
}

impl std::str::FromStr for Scenario {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "mixed" => Ok(Scenario::Mixed),
            "whoami" => Ok(Scenario::Whoami),
            "login" => Ok(Scenario::Login),
            other => Err(format!(
                "unknown scenario {other:?}: mixed, whoami or login"
            )),
        }
    }
}

/// A load run's parameters.
#[derive(Debug, Clone)]
pub struct Load {
    /// The server (must be a loopback address).
    pub addr: SocketAddr,
    /// Concurrent clients; client `i` logs in as `load-i` with [`PASSWORD`].
    pub clients: usize,
    /// How long to run.
    pub duration: Duration,
    /// Stop after this many requests in all, even if time remains.
    pub max_requests: usize,
    /// What the clients do.
    pub scenario: Scenario,
}

/// The password of every load user.
pub const PASSWORD: &str = "load password";

/// The name of load user `index` (1-based).
pub fn username(index: usize) -> String {
    format!("load-{index}")
}

/// What one endpoint saw.
#[derive(Debug, Default, Clone)]
pub struct EndpointReport {
    /// Latency of each request that got an answer.
    pub latencies: Vec<Duration>,
    /// Requests that failed: no answer, or an unexpected status.
    pub errors: usize,
}

/// What a run saw, per endpoint, and how long it took.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Logins.
    pub login: EndpointReport,
    /// whoami requests.
    pub whoami: EndpointReport,
    /// Wall time from the first request to the last answer.
    pub elapsed: Duration,
}

impl Report {
    /// Requests that failed, in all.
    pub fn errors(&self) -> usize {
        self.login.errors + self.whoami.errors
    }

    /// The report as a table: requests, errors, rate and latency percentiles per endpoint.
    pub fn table(&self) -> String {
        let mut text = format!(
            "{:<8} {:>9} {:>7} {:>9} {:>8} {:>8} {:>8} {:>8}\n",
            "endpoint", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
        );
        for (name, endpoint) in [("login", &self.login), ("whoami", &self.whoami)] {
            let mut sorted = endpoint.latencies.clone();
            if sorted.is_empty() {
                continue;
            }
            sorted.sort_unstable();
            let at = |fraction: f64| {
                let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
                sorted[index].as_secs_f64() * 1000.0
            };
            text.push_str(&format!(
                "{:<8} {:>9} {:>7} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2}\n",
                name,
                sorted.len() + endpoint.errors,
                endpoint.errors,
                sorted.len() as f64 / self.elapsed.as_secs_f64(),
                at(0.5),
                at(0.9),
                at(0.99),
                at(1.0)
            ));
        }
        text
    }
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// Runs the load and reports. Panics if `addr` is not a loopback address.
pub async fn run(load: Load) -> Report {
    assert!(
        load.addr.ip().is_loopback(),
        "load runs against loopback only"
    );
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(load.clients)
        .build_http();
    let budget = Arc::new(std::sync::atomic::AtomicUsize::new(load.max_requests));
    let started = Instant::now();
    let deadline = started + load.duration;
    let tasks: Vec<_> = (1..=load.clients)
        .map(|index| {
            let (client, budget, load) = (client.clone(), Arc::clone(&budget), load.clone());
            tokio::spawn(async move { client_loop(&client, &load, index, deadline, &budget).await })
        })
        .collect();
    let mut report = Report::default();
    for task in tasks {
        let part = task.await.expect("load client");
        report.login.latencies.extend(part.login.latencies);
        report.login.errors += part.login.errors;
        report.whoami.latencies.extend(part.whoami.latencies);
        report.whoami.errors += part.whoami.errors;
    }
    report.elapsed = started.elapsed();
    report
}

async fn client_loop(
    client: &HttpClient,
    load: &Load,
    index: usize,
    deadline: Instant,
    budget: &std::sync::atomic::AtomicUsize,
) -> Report {
    use std::sync::atomic::Ordering;
    let mut report = Report::default();
    let mut token: Option<String> = None;
    let mut iteration = 0usize;
    while Instant::now() < deadline {
        if budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .is_err()
        {
            break;
        }
        let wants_login = match load.scenario {
            Scenario::Login => true,
            Scenario::Whoami => token.is_none(),
            Scenario::Mixed => token.is_none() || iteration.is_multiple_of(10),
        };
        iteration += 1;
        let started = Instant::now();
        if wants_login {
            match login(client, load.addr, &username(index)).await {
                Some(key) => {
                    report.login.latencies.push(started.elapsed());
                    token = Some(key);
                }
                None => report.login.errors += 1,
            }
        } else if let Some(key) = &token {
            if whoami(client, load.addr, key).await {
                report.whoami.latencies.push(started.elapsed());
            } else {
                report.whoami.errors += 1;
            }
        }
    }
    report
}

async fn login(client: &HttpClient, addr: SocketAddr, username: &str) -> Option<String> {
    let body = serde_json::json!({ "username": username, "password": PASSWORD }).to_string();
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("http://{addr}{}", endpoint::LOGIN.slashed_path()))
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .ok()?;
    let response = client.request(request).await.ok()?;
    if response.status() != StatusCode::OK {
        return None;
    }
    let body = response.into_body().collect().await.ok()?.to_bytes();
    let value: serde_json::Value = serde_json::from_slice(&body).ok()?;
    value["token"].as_str().map(str::to_owned)
}

async fn whoami(client: &HttpClient, addr: SocketAddr, key: &str) -> bool {
    let Ok(request) = Request::builder()
        .uri(format!("http://{addr}{}", endpoint::WHOAMI.slashed_path()))
        .header("Authorization", format!("Token {key}"))
        .body(Full::new(Bytes::new()))
    else {
        return false;
    };
    match client.request(request).await {
        Ok(response) => {
            let ok = response.status() == StatusCode::OK;
            ok && response.into_body().collect().await.is_ok()
        }
        Err(_) => false,
    }
}
