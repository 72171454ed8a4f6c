//! A fault-injecting HTTP proxy in front of the local DynamoDB-compatible server: the real SDK
//! (its retries, timeouts and error parsing) meets throttling, server errors, cancelled
//! transactions, hung connections and lost responses, exactly as it would from DynamoDB.
//!
//! Faults are rules on the DynamoDB operation a request names (`X-Amz-Target`); a request that
//! matches no rule is forwarded unchanged. The proxy can also take the store's latency out: it
//! records the answers to a run of requests ([`FaultProxy::record_answers`]), then
//! ([`FaultProxy::replay_answers`]) answers a request identical to one recorded (same operation,
//! same body but for the SDK's random idempotency token) from memory, without reaching the
//! store: with the answers recorded for it, in their order, again and again (a logout-all reads
//! its user twice, with a token and then without).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

/// What the proxy does to a matching request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answers 400 with this DynamoDB error type, e.g. `ProvisionedThroughputExceededException`.
    Error(&'static str),
    /// Answers 500 `InternalServerError`.
    ServerError,
    /// Answers 400 `TransactionCanceledException` with these reason codes, one per item.
    CancelTransaction(&'static [&'static str]),
    /// Never answers (the client's timeouts must fire).
    Hang,
    /// Forwards the request (so it takes effect), then drops the connection without answering.
    DropResponse,
}

/// A fault for requests of one operation (`"*"`: any), applied `times` times (`None`: always).
#[derive(Debug, Clone)]
pub struct Rule {
    /// The operation, as in `DynamoDB_20120810.<operation>`, or `"*"`.
    pub operation: &'static str,
    /// What to do.
    pub fault: Fault,
    /// How many more requests to fault; `None` for all of them.
    pub times: Option<usize>,
}

/// An answer kept for replay.
#[derive(Clone)]
struct Recorded {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
}

/// The rules, how many faults they have applied, and the answers kept for replay (if on), by
/// operation and request body.
#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    applied: usize,
    replay: Option<Replay>,
}

/// Recorded answers, by request, and whether they are being recorded or replayed.
#[derive(Default)]
struct Replay {
    answers: HashMap<ReplayKey, Answers>,
    replaying: bool,
}

/// The answers recorded for one request, and which one it gets next when replayed.
#[derive(Default)]
struct Answers {
    recorded: Vec<Recorded>,
    next: usize,
}

/// What makes two requests the same for replay: the operation and the body, less the
/// `ClientRequestToken` the SDK fills with a fresh random value for each `TransactWriteItems`,
/// with every object's keys in sorted order (the SDK writes maps in `HashMap` order, which
/// differs between two identical requests).
#[derive(PartialEq, Eq, Hash)]
struct ReplayKey(String, Bytes);

impl ReplayKey {
    fn new(operation: String, body: &Bytes) -> Self {
        let body = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(mut fields)) => {
                fields.remove("ClientRequestToken");
                Bytes::from(sorted(serde_json::Value::Object(fields)).to_string())
            }
            _ => body.clone(),
        };
        Self(operation, body)
    }
}

/// `value` with the keys of every object in sorted order, whether or not serde_json keeps
/// insertion order (its `preserve_order` feature, which a dependency may turn on).
fn sorted(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(fields) => {
            let mut fields: Vec<_> = fields.into_iter().collect();
            fields.sort_by(|(a, _), (b, _)| a.cmp(b));
            serde_json::Value::Object(
                fields
                    .into_iter()
                    .map(|(key, value)| (key, sorted(value)))
                    .collect(),
            )
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted).collect())
        }
        other => other,
    }
}

type Rules = Arc<Mutex<State>>;

/// The running proxy.
pub struct FaultProxy {
    addr: SocketAddr,
    rules: Rules,
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port, forwarding to `upstream` (`http://127.0.0.1:PORT`).
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let rules: Rules = Arc::default();
        let client: Client<HttpConnector, Full<Bytes>> =
            Client::builder(TokioExecutor::new()).build_http();
        let shared = (Arc::clone(&rules), client, Arc::new(upstream));
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (rules, client, upstream) = shared.clone();
                let service = hyper::service::service_fn(move |request| {
                    let (rules, client, upstream) =
                        (rules.clone(), client.clone(), upstream.clone());
                    async move { handle(request, &rules, &client, &upstream).await }
                });
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
            }
        });
        Self { addr, rules }
    }

    /// The endpoint to give the SDK.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Adds a rule (rules are tried in the order they were added).
    pub fn inject(&self, operation: &'static str, fault: Fault, times: Option<usize>) {
        self.rules.lock().unwrap().rules.push(Rule {
            operation,
            fault,
            times,
        });
    }

    /// Removes every rule: requests pass unchanged again.
    pub fn heal(&self) {
        self.rules.lock().unwrap().rules.clear();
    }

    /// From now on, records each successful answer, in order, by request (operation and body),
    /// until [`FaultProxy::replay_answers`].
    pub fn record_answers(&self) {
        self.rules.lock().unwrap().replay = Some(Replay::default());
    }

    /// From now on, answers each request recorded since [`FaultProxy::record_answers`] from
    /// memory, with its recorded answers in turn, cycling; the store is only reached by requests
    /// new to it (whose answers are recorded then).
    pub fn replay_answers(&self) {
        if let Some(replay) = self.rules.lock().unwrap().replay.as_mut() {
            replay.replaying = true;
        }
    }

    /// How many requests a fault was applied to so far.
    pub fn faults_applied(&self) -> usize {
        self.rules.lock().unwrap().applied
    }
}

/// The fault for an operation, if a rule matches (and uses up one of its `times`).
fn take_fault(rules: &Rules, operation: &str) -> Option<Fault> {
    let mut state = rules.lock().unwrap();
    let rule = state.rules.iter_mut().find(|rule| {
        (rule.operation == "*" || rule.operation == operation) && rule.times != Some(0)
    })?;
    if let Some(times) = &mut rule.times {
        *times -= 1;
    }
    let fault = rule.fault.clone();
    state.applied += 1;
    Some(fault)
}

/// A connection dropped on purpose.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the fault proxy")
    }
}

impl std::error::Error for Dropped {}

async fn handle(
    request: Request<Incoming>,
    rules: &Rules,
    client: &Client<HttpConnector, Full<Bytes>>,
    upstream: &str,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let operation = request
        .headers()
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .and_then(|target| target.split('.').nth(1))
        .unwrap_or_default()
        .to_owned();
    let fault = take_fault(rules, &operation);
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    match fault {
        Some(Fault::Error(kind)) => Ok(dynamodb_error(
            StatusCode::BAD_REQUEST,
            &format!(
                r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{kind}","message":"injected by the fault proxy"}}"#
            ),
        )),
        Some(Fault::ServerError) => Ok(dynamodb_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected by the fault proxy"}"#,
        )),
        Some(Fault::CancelTransaction(codes)) => {
            let reasons: Vec<String> = codes
                .iter()
                .map(|code| format!(r#"{{"Code":"{code}","Message":"injected"}}"#))
                .collect();
            Ok(dynamodb_error(
                StatusCode::BAD_REQUEST,
                &format!(
                    r#"{{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [{}]","CancellationReasons":[{}]}}"#,
                    codes.join(", "),
                    reasons.join(",")
                ),
            ))
        }
        Some(Fault::Hang) => std::future::pending().await,
        Some(Fault::DropResponse) => {
            let _ = forward(parts, body, client, upstream).await;
            Err(Dropped)
        }
        None => {
            // The key costs a JSON parse: only worth it when replaying.
            let key = replaying(rules).then(|| ReplayKey::new(operation, &body));
            if let Some(recorded) = key.as_ref().and_then(|key| replayed(rules, key)) {
                return Ok(recorded.into_response());
            }
            let answer = forward(parts, body, client, upstream).await?;
            if let Some(key) = key {
                record(rules, key, &answer);
            }
            Ok(answer.into_response())
        }
    }
}

impl Recorded {
    fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// Whether [`FaultProxy::record_answers`] was called.
fn replaying(rules: &Rules) -> bool {
    rules.lock().unwrap().replay.is_some()
}

/// The next answer recorded for a request, when replaying and it was recorded.
fn replayed(rules: &Rules, key: &ReplayKey) -> Option<Recorded> {
    let mut state = rules.lock().unwrap();
    let replay = state.replay.as_mut().filter(|replay| replay.replaying)?;
    let answers = replay.answers.get_mut(key)?;
    let answer = answers
        .recorded
        .get(answers.next % answers.recorded.len())?
        .clone();
    answers.next += 1;
    Some(answer)
}

/// Keeps a successful answer for replay.
fn record(rules: &Rules, key: ReplayKey, answer: &Recorded) {
    let mut state = rules.lock().unwrap();
    if let Some(replay) = state.replay.as_mut().filter(|_| answer.status.is_success()) {
        replay
            .answers
            .entry(key)
            .or_default()
            .recorded
            .push(answer.clone());
    }
}

async fn forward(
    parts: http::request::Parts,
    body: Bytes,
    client: &Client<HttpConnector, Full<Bytes>>,
    upstream: &str,
) -> Result<Recorded, Dropped> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = Request::builder()
        .method(parts.method)
        .uri(format!("{upstream}{path}"));
    for (name, value) in &parts.headers {
        if name != http::header::HOST {
            request = request.header(name, value);
        }
    }
    let request = request.body(Full::new(body)).map_err(|_| Dropped)?;
    let response = client.request(request).await.map_err(|_| Dropped)?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    Ok(Recorded {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

fn dynamodb_error(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("response")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(body: &str) -> ReplayKey {
        ReplayKey::new(
            "DynamoDB_20120810.TransactWriteItems".into(),
            &Bytes::from(body.to_owned()),
        )
    }

    #[test]
    fn replay_keys_ignore_key_order_and_the_request_token() {
        let a = key(
            r##"{"ClientRequestToken":"1","Names":{"#a":"x","#b":"y"},"Items":[{"k":1,"j":2}]}"##,
        );
        let b = key(
            r##"{"Items":[{"j":2,"k":1}],"Names":{"#b":"y","#a":"x"},"ClientRequestToken":"2"}"##,
        );
        assert!(a == b);
        let other = key(r##"{"Names":{"#a":"x","#b":"z"},"Items":[{"k":1,"j":2}]}"##);
        assert!(a != other);
    }
}
