//! `authtoken serve` as a child process on a free port, stopped when dropped.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use crate::process::Process;
use authtoken::config::Settings;

/// A running `authtoken serve`.
pub struct ServeProcess {
    process: Process,
    addr: SocketAddr,
    /// How many lines it wrote up to and including its "listening on" line.
    startup: usize,
}

impl ServeProcess {
    /// Starts `authtoken serve` (the binary at `authtoken`) with the given users and waits
    /// until it listens.
    pub async fn start(
        authtoken: &str,
        settings: &Settings,
        users: &[(&str, &str)],
        inactive: &[(&str, &str)],
    ) -> Self {
        let mut command = Command::new(authtoken);
        command.args(["serve", "--addr", "127.0.0.1:0", "--outbox"]);
        command.arg(crate::mail::outbox());
        for (name, password) in users {
            command.arg("--user").arg(format!("{name}:{password}"));
        }
        for (name, password) in inactive {
            command
                .arg("--inactive-user")
                .arg(format!("{name}:{password}"));
        }
        command.envs(settings.to_env());
        Self::spawn(command).await
    }

    /// Starts a prepared `authtoken` command and waits for its "listening on" line.
    pub async fn spawn(command: Command) -> Self {
        let mut process = Process::spawn(command);
        let listening = process.wait_for_line(Duration::from_secs(30), |line| {
            line.contains("listening on http://")
        });
        let Some(line) = listening else {
            panic!(
                "authtoken serve did not start listening; it said: {:#?}",
                process.log()
            );
        };
        let addr = line
            .split("listening on http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|addr| addr.parse().ok())
            .expect("address");
        let startup = process.log().iter().position(|l| *l == line).unwrap_or(0) + 1;
        Self {
            process,
            addr,
            startup,
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its process id.
    pub fn id(&self) -> u32 {
        self.process.id()
    }

    /// Sends SIGINT (Ctrl-C) and waits for the exit; returns the exit status and what it
    /// wrote after starting.
    pub fn interrupt(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let status = self.process.interrupt();
        (status, self.process.log().split_off(self.startup))
    }

    /// What it wrote while starting, before its "listening on" line.
    pub fn startup_lines(&self) -> Vec<String> {
        let mut lines = self.process.log();
        lines.truncate(self.startup.saturating_sub(1));
        lines
    }
}
