//! A stand-in for the Lambda Runtime API, so that a real, built function binary runs exactly as
//! in Lambda (its `main` unchanged) and answers events fed by a test, as `sam local invoke` would
//! have it do inside Docker.
//!
//! It serves the three calls a runtime makes: `GET /2018-06-01/runtime/invocation/next` (long
//! poll for the next event), `POST .../invocation/{id}/response` and `POST .../invocation/{id}/error`,
//! plus `POST /2018-06-01/runtime/init/error`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

use crate::process::Process;

const PREFIX: &str = "/2018-06-01/runtime";

/// How a function answered one invocation.
#[derive(Debug)]
pub enum Outcome {
    /// The body the function posted as its response.
    Response(Vec<u8>),
    /// The body the function posted as an error (a panic, or an `Err` from the handler).
    Error(Vec<u8>),
}

struct Invocation {
    event: Vec<u8>,
    reply: oneshot::Sender<Outcome>,
}

#[derive(Default)]
struct Shared {
    pending: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    init_error: Mutex<Option<String>>,
    next_id: Mutex<u64>,
    first_poll: Mutex<Option<Instant>>,
}

/// The stand-in server.
pub struct RuntimeApi {
    addr: SocketAddr,
    queue: mpsc::Sender<Invocation>,
    shared: Arc<Shared>,
}

impl RuntimeApi {
    /// Starts the stand-in on a free loopback port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let (queue, receiver) = mpsc::channel::<Invocation>(16);
        let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
        let shared = Arc::new(Shared::default());
        let server_shared = Arc::clone(&shared);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let receiver = Arc::clone(&receiver);
                let shared = Arc::clone(&server_shared);
                let service = hyper::service::service_fn(move |request| {
                    let receiver = Arc::clone(&receiver);
                    let shared = Arc::clone(&shared);
                    async move { Ok::<_, Infallible>(serve(request, &receiver, &shared).await) }
                });
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
            }
        });
        Self {
            addr,
            queue,
            shared,
        }
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// When the function first asked for an event: the end of its initialisation (what Lambda
    /// reports as Init Duration).
    pub fn first_poll(&self) -> Option<Instant> {
        *self.shared.first_poll.lock().unwrap()
    }

    /// Hands `event` to the function and waits up to `timeout` for its answer.
    pub async fn invoke(&self, event: &[u8], timeout: Duration) -> Result<Outcome, String> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Invocation {
                event: event.to_vec(),
                reply,
            })
            .await
            .map_err(|_| "the stand-in stopped".to_owned())?;
        match tokio::time::timeout(timeout, answer).await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(_)) => Err("the invocation was dropped".to_owned()),
            Err(_) => Err(match self.shared.init_error.lock().unwrap().clone() {
                Some(error) => format!("the function failed to start: {error}"),
                None => format!("no answer within {timeout:?}"),
            }),
        }
    }
}

async fn serve(
    request: Request<Incoming>,
    receiver: &tokio::sync::Mutex<mpsc::Receiver<Invocation>>,
    shared: &Shared,
) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|collected| collected.to_bytes().to_vec())
        .unwrap_or_default();
    let reply = |status: StatusCode| {
        let mut response = Response::new(Full::new(Bytes::from_static(b"{}")));
        *response.status_mut() = status;
        response
    };
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    match (method, rest) {
        (Method::GET, "/invocation/next") => {
            shared
                .first_poll
                .lock()
                .unwrap()
                .get_or_insert_with(Instant::now);
            let Some(invocation) = receiver.lock().await.recv().await else {
                return reply(StatusCode::GONE);
            };
            let id = {
                let mut next = shared.next_id.lock().unwrap();
                *next += 1;
                format!("00000000-0000-4000-8000-{:012}", *next)
            };
            shared
                .pending
                .lock()
                .unwrap()
                .insert(id.clone(), invocation.reply);
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis()
                + 30_000;
            Response::builder()
                .header("Lambda-Runtime-Aws-Request-Id", id)
                .header("Lambda-Runtime-Deadline-Ms", deadline.to_string())
                .header(
                    "Lambda-Runtime-Invoked-Function-Arn",
                    "arn:aws:lambda:us-east-1:123456789012:function:test",
                )
                .header(
                    "Lambda-Runtime-Trace-Id",
                    "Root=1-00000000-000000000000000000000000",
                )
                .header("Content-Type", "application/json")
                .body(Full::new(Bytes::from(invocation.event)))
                .expect("response")
        }
        (Method::POST, "/init/error") => {
            *shared.init_error.lock().unwrap() = Some(String::from_utf8_lossy(&body).into_owned());
            reply(StatusCode::ACCEPTED)
        }
        (Method::POST, rest) if rest.starts_with("/invocation/") => {
            let mut parts = rest.trim_start_matches("/invocation/").splitn(2, '/');
            let id = parts.next().unwrap_or_default();
            let outcome = match parts.next() {
                Some("response") => Outcome::Response(body),
                Some("error") => Outcome::Error(body),
                _ => return reply(StatusCode::NOT_FOUND),
            };
            match shared.pending.lock().unwrap().remove(id) {
                Some(sender) => {
                    let _ = sender.send(outcome);
                    reply(StatusCode::ACCEPTED)
                }
                None => reply(StatusCode::NOT_FOUND),
            }
        }
        _ => reply(StatusCode::NOT_FOUND),
    }
}

/// How a function binary is started: directly, or under a runner such as an emulator
/// (`qemu-aarch64 -L /usr/aarch64-linux-gnu` runs an arm64 build on another machine).
#[derive(Debug, Clone, Default)]
pub struct Launcher {
    runner: Vec<String>,
}

impl Launcher {
    /// Runs the binary itself.
    pub fn native() -> Self {
        Self::default()
    }

    /// Runs the binary as the last argument of `runner`, a program and its arguments separated
    /// by whitespace.
    pub fn under(runner: &str) -> Self {
        Self {
            runner: runner.split_whitespace().map(str::to_owned).collect(),
        }
    }

    fn command(&self, binary: &str) -> Command {
        match self.runner.split_first() {
            None => Command::new(binary),
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(binary);
                command
            }
        }
    }
}

/// A function binary running against a [`RuntimeApi`], killed when dropped.
pub struct FunctionProcess {
    process: Process,
}

impl FunctionProcess {
    /// Spawns `binary` with only the variables Lambda would set (plus `env`), pointed at `api`.
    pub fn spawn(binary: &str, api: &RuntimeApi, env: &[(&str, String)]) -> Self {
        Self::spawn_with(&Launcher::native(), binary, api, env)
    }

    /// As [`FunctionProcess::spawn`], started by `launcher`.
    pub fn spawn_with(
        launcher: &Launcher,
        binary: &str,
        api: &RuntimeApi,
        env: &[(&str, String)],
    ) -> Self {
        let mut command = launcher.command(binary);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", api.address())
            .env("AWS_LAMBDA_FUNCTION_NAME", "test")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            // The most verbose level, so that checks for secrets in the log cover all of it.
            .env("AWS_LAMBDA_LOG_LEVEL", "TRACE");
        for (name, value) in env {
            command.env(name, value);
        }
        Self {
            process: Process::spawn(command),
        }
    }

    /// When the process was spawned.
    pub fn started(&self) -> Instant {
        self.process.started
    }

    /// Everything the function has logged so far (stdout and stderr, line by line).
    pub fn log(&self) -> Vec<String> {
        self.process.log()
    }

    /// Waits up to `timeout` for a log line that `wanted` picks (the lines are read from the
    /// process's pipes as they come, so a line may arrive after the answer that followed it).
    pub fn wait_for_line(
        &mut self,
        timeout: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Option<String> {
        self.process.wait_for_line(timeout, wanted)
    }

    /// The log once `complete` says it is (or once `timeout` has passed): for a test that
    /// expects several lines, which may arrive after the answers that followed them.
    pub fn log_when(&self, timeout: Duration, complete: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let log = self.log();
            if complete(&log) || Instant::now() >= deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits up to 10 s for a function that cannot start to exit, asserts that it failed, and
    /// returns its log once a line holding `naming` is in it (or after a bounded wait): the
    /// start-up error reaches the log when the pipe is read, which may be after the exit.
    pub async fn stopped_at_init(&mut self, naming: &str) -> Vec<String> {
        let mut status = None;
        for _ in 0..100 {
            status = self.exit_status();
            if status.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let status = status.expect("the function should stop at init within 10 s");
        assert!(!status.success());
        self.log_when(Duration::from_secs(1), |lines| {
            lines.iter().any(|line| line.contains(naming))
        })
    }

    /// How the process ended, if it has (a function that cannot start exits at init).
    pub fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.process.exit_status()
    }

    /// The process id, for measuring its memory.
    pub fn id(&self) -> u32 {
        self.process.id()
    }
}
