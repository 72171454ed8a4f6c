//! Running the `authtoken` binary against DynamoDB tables of a test's own, as an operator
//! would, for the CLI's tests of its commands.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use authtoken::Ctx;
use authtoken::store::dynamo::Tables;

use crate::app::TestApp;

/// Fresh table names, and a way to run `authtoken` against them.
pub struct Admin {
    /// The tables' names.
    pub tables: Tables,
    home: std::path::PathBuf,
    binary: std::path::PathBuf,
}

impl Drop for Admin {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

impl Admin {
    /// Table names of the test's own, not yet created, for the `authtoken` binary at `binary`
    /// (`env!("CARGO_BIN_EXE_authtoken")` in the CLI's tests).
    pub fn new(binary: &str) -> Self {
        let tables = crate::dynamo::unique_tables();
        let home = std::env::temp_dir().join(format!("authtoken-home-{}", tables.users));
        std::fs::create_dir_all(&home).unwrap();
        Self {
            tables,
            home,
            binary: binary.into(),
        }
    }

    /// A path for a file of the test's own (a dump to import), removed with the admin.
    pub fn scratch(&self, name: &str) -> std::path::PathBuf {
        self.home.join(name)
    }

    /// Table names with the tables created by `authtoken tables create`.
    pub fn with_tables(binary: &str) -> Self {
        let admin = Self::new(binary);
        admin.ok(&["tables", "create"]);
        admin
    }

    /// `authtoken ARGS` with only the environment it needs: the local endpoints, a region, dummy
    /// credentials, the table names, the seal secret, and no instance metadata (it must never
    /// leave loopback).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL_DYNAMODB", crate::dynamo::endpoint())
            .env("AWS_REGION", crate::dynamo::REGION)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("USERS_TABLE", &self.tables.users)
            .env("TOKENS_TABLE", &self.tables.tokens)
            .env("LOCKOUTS_TABLE", &self.tables.lockouts)
            .env(
                "AWS_ENDPOINT_URL_SECRETS_MANAGER",
                crate::dynamo::endpoint(),
            )
            .env(
                authtoken::manifest::settings::SEAL_SECRET.var,
                crate::dynamo::SEAL_SECRET_ID,
            );
        crate::dynamo::ensure_seal_secret();
        command
    }

    /// Runs a prepared command (from [`Admin::command`]), feeding it `stdin` if any.
    pub fn run_with(&self, mut command: Command, stdin: Option<&str>) -> Output {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = command.spawn().expect("run authtoken");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        child.wait_with_output().expect("authtoken output")
    }

    /// Runs `authtoken ARGS`, feeding it `stdin` if any.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        self.run_with(self.command(args), stdin)
    }

    /// Runs and asserts success; returns standard output.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_with_stdin(args, None)
    }

    #[track_caller]
    /// Runs with `stdin` and asserts success; returns standard output.
    pub fn ok_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> String {
        let output = self.run(args, stdin);
        assert!(output.status.success(), "{args:?}: {}", describe(&output));
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs and asserts exit code 1; returns standard error.
    #[track_caller]
    pub fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        self.fails_with(self.command(args), stdin)
    }

    /// Runs `command` (from [`Self::command`], changed by the test), asserts it exits 1, and
    /// returns its stderr.
    pub fn fails_with(&self, command: Command, stdin: Option<&str>) -> String {
        let described = format!("{:?}", command.get_args().collect::<Vec<_>>());
        let output = self.run_with(command, stdin);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{described}: {}",
            describe(&output)
        );
        String::from_utf8(output.stderr).unwrap()
    }

    /// `authtoken user create NAME`, the password on standard input; asserts it worked.
    pub fn create_user(&self, name: &str, password: &str) {
        let out = self.ok_with_stdin(
            &["user", "create", name, "--password-stdin"],
            Some(&format!("{password}\n")),
        );
        assert!(out.contains(&format!("created user {name:?}")), "{out}");
    }

    /// The handlers on the same tables, to see what clients would see.
    pub fn app(&self) -> TestApp {
        TestApp::Dynamo(std::sync::Arc::new(Ctx::new(
            crate::dynamo::store(crate::dynamo::client(), self.tables.clone()),
            // Locks of a minute: the default's first lock (1 s) may end before the next login
            // on a slow machine.
            crate::lockout::long_locks(),
        )))
    }
}

/// A command's exit code and output, for a failed assertion's message.
pub fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
