//! Shared by the CLI suites: the reference server in-process on 127.0.0.1,
//! the real binary run in a private HOME, and checks on what it printed.
#![allow(dead_code)] // each suite uses its own subset

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;
use tokenkeeper_testserver::{TestServer, TestServerConfig};

pub const USER: &str = "alice@example.com";
pub const PASSWORD: &str = "correct horse battery staple";

/// The reference server on its own runtime, which keeps serving while the
/// test thread waits for the CLI process.
pub struct Server {
    pub server: TestServer,
    runtime: tokio::runtime::Runtime,
}

impl Server {
    pub fn start() -> Server {
        Self::start_with(TestServerConfig::default())
    }

    pub fn start_with(config: TestServerConfig) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("test runtime");
        let server = runtime
            .block_on(TestServer::start(config))
            .expect("reference server starts");
        Server { server, runtime }
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn pause(&self) {
        self.runtime.block_on(self.server.pause());
    }

    pub fn resume(&self) {
        self.runtime.block_on(self.server.resume()).expect("resume");
    }
}

/// What one run of the binary did.
#[derive(Debug, Clone)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        &self.stdout
    }

    /// The stderr lines other than the file store's warning.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|line| !line.starts_with("warning: tokens are stored unencrypted"))
            .collect()
    }

    /// Asserts the run failed with exactly `line` (one line) and `code`.
    pub fn fails_with(&self, code: i32, line: &str) {
        assert_eq!(
            self.stderr_lines(),
            vec![line],
            "stderr must be exactly one error line: {self:#?}"
        );
        assert_eq!(self.code, code, "exit code: {self:#?}");
        assert!(self.stdout.is_empty(), "nothing on stdout: {self:#?}");
    }
}

/// The binary with a private HOME and config dir (no user config or keyring
/// is ever read) and, by default, a file store in the temp dir.
pub struct Cli {
    pub home: TempDir,
    pub args: Vec<String>,
    /// Every run, for the leak check at the end.
    pub runs: std::cell::RefCell<Vec<(String, Run)>>,
}

impl Cli {
    /// Against `base_url` with the given profile flags, file store.
    pub fn new(base_url: &str, profile_args: &[&str]) -> Cli {
        let home = tempfile::tempdir().expect("temp dir");
        let store = format!("file:{}", home.path().join("session.json").display());
        let mut args = vec![
            "--base-url".to_owned(),
            base_url.to_owned(),
            "--store".to_owned(),
            store,
        ];
        args.extend(profile_args.iter().map(|arg| arg.to_string()));
        Cli {
            home,
            args,
            runs: Default::default(),
        }
    }

    /// No settings at all: each test passes its own.
    pub fn bare() -> Cli {
        Cli {
            home: tempfile::tempdir().expect("temp dir"),
            args: Vec::new(),
            runs: Default::default(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None)
    }

    pub fn login(&self) -> Run {
        self.run_with_stdin(
            &["login", "--username", USER, "--password-stdin"],
            Some(&format!("{PASSWORD}\n")),
        )
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut command = self.command();
        command.args(&self.args).args(args);
        let run = execute(command, stdin);
        self.runs.borrow_mut().push((args.join(" "), run.clone()));
        run
    }

    /// The binary in this test's private environment, without default args.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tokenkeeper-cli"));
        command
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env_remove("RUST_LOG");
        command
    }

    /// No output of any run so far contains the password or any token the
    /// server issued, except where `allowed` says (by the run's arguments).
    pub fn assert_no_secrets(&self, server: &Server, allowed: &[&str]) {
        let tokens = server.server.issued_tokens();
        assert!(!tokens.is_empty(), "the server issued no token");
        for (args, run) in self.runs.borrow().iter() {
            if allowed.contains(&args.as_str()) {
                continue;
            }
            for text in [&run.stdout, &run.stderr] {
                assert!(
                    !text.contains(PASSWORD),
                    "password printed by `{args}`: {text}"
                );
                for token in &tokens {
                    assert!(
                        !text.contains(token.as_str()),
                        "token printed by `{args}`: {text}"
                    );
                }
                // A fragment is as bad: the signature part of any JWT.
                for token in &tokens {
                    if let Some(signature) = token.rsplit('.').next().filter(|s| s.len() > 20) {
                        assert!(!text.contains(signature), "token part printed by `{args}`");
                    }
                }
            }
        }
    }
}

pub fn execute(mut command: Command, stdin: Option<&str>) -> Run {
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the CLI starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    let output = child.wait_with_output().expect("the CLI finishes");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

pub fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write test file");
}
