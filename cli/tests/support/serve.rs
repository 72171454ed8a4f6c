//! `authtoken serve` as a child process on a free port, stopped when dropped.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use authtoken::config::Settings;

/// A running `authtoken serve`.
pub struct ServeProcess {
    child: Child,
    addr: SocketAddr,
    /// Everything the server wrote to stderr, line by line, as it comes.
    log: Mutex<mpsc::Receiver<String>>,
    /// What it wrote up to and including its "listening on" line.
    startup: Vec<String>,
}

impl ServeProcess {
    /// Starts the server with the given users and waits until it listens.
    pub async fn start(
        settings: &Settings,
        users: &[(&str, &str)],
        inactive: &[(&str, &str)],
    ) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_authtoken"));
        command.args(["serve", "--addr", "127.0.0.1:0"]);
        for (name, password) in users {
            command.arg("--user").arg(format!("{name}:{password}"));
        }
        for (name, password) in inactive {
            command
                .arg("--inactive-user")
                .arg(format!("{name}:{password}"));
        }
        command.env(
            "TOKEN_TTL_SECONDS",
            settings.token_ttl_seconds.unwrap_or(0).to_string(),
        );
        Self::spawn(command).await
    }

    /// Starts a prepared `authtoken` command and waits for its "listening on" line.
    pub async fn spawn(mut command: Command) -> Self {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start authtoken serve");
        let stderr = child.stderr.take().expect("stderr");
        let (sender, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        let addr = loop {
            match log.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    if let Some(rest) = line.split("listening on http://").nth(1) {
                        break rest
                            .split_whitespace()
                            .next()
                            .unwrap()
                            .parse()
                            .expect("address");
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("authtoken serve did not start listening; it said: {seen:#?}");
                }
            }
        };
        Self {
            child,
            addr,
            log: Mutex::new(log),
            startup: seen,
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sends SIGINT (Ctrl-C) and waits for the exit; returns the exit status and the log.
    pub fn interrupt(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let pid = rustix::process::Pid::from_child(&self.child);
        rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("send SIGINT");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "did not exit within 20 s of SIGINT"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let log = self.log_lines();
        (status, log)
    }

    /// What it wrote while starting.
    pub fn startup_lines(&self) -> &[String] {
        &self.startup
    }

    /// The log lines written since start-up, so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().try_iter().collect()
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
