//! A child process for tests: a function binary under the Runtime API stand-in, or
//! `authtoken serve`. Its standard output and error are collected line by line as they come;
//! it is killed when dropped, so no test leaves one behind.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running child process and what it has written so far.
pub struct Process {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
    readers: Vec<JoinHandle<()>>,
    /// When it was spawned.
    pub started: Instant,
}

impl Process {
    /// Spawns `command` with no standard input, collecting its standard output and error.
    pub fn spawn(mut command: Command) -> Self {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let program = command.get_program().to_string_lossy().into_owned();
        let mut child = command
            .spawn()
            .unwrap_or_else(|error| panic!("spawn {program}: {error}"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let readers = [Box::new(stdout) as Box<dyn Read + Send>, Box::new(stderr)]
            .into_iter()
            .map(|stream| {
                let log = Arc::clone(&log);
                std::thread::spawn(move || {
                    for line in BufReader::new(stream).lines().map_while(Result::ok) {
                        log.lock().unwrap().push(line);
                    }
                })
            })
            .collect();
        Self {
            child,
            log,
            readers,
            started,
        }
    }

    /// Everything it has written so far (standard output and error, line by line).
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Waits up to `timeout` for a line that `wanted` picks, and returns it; `None` if none
    /// came in time or the process exited first.
    pub fn wait_for_line(
        &mut self,
        timeout: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.log().into_iter().find(|line| wanted(line)) {
                return Some(line);
            }
            if Instant::now() >= deadline || self.exit_status().is_some() {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// How it ended, if it has.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("process status")
    }

    /// Its process id, for measuring its memory.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGINT (Ctrl-C) and waits up to 20 s for it to exit; returns how it exited, once
    /// all it wrote is in [`Process::log`].
    pub fn interrupt(&mut self) -> ExitStatus {
        let pid = rustix::process::Pid::from_child(&self.child);
        rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("send SIGINT");
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.exit_status() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "did not exit within 20 s of SIGINT"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        // Its pipes are closed: the readers finish with its last lines.
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        status
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Peak resident memory of a process, in KiB (Linux `VmHWM`), and its current one (`VmRSS`).
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}
