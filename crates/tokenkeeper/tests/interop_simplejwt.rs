//! Interop against a real djangorestframework-simplejwt server (rotation and
//! blacklisting on, RS256, issuer and audience set), installed from PyPI into
//! `target/interop/simplejwt-venv` and started by
//! `tests/interop/simplejwt/serve.sh`. Each test gets its own server process.
//!
//! The first run builds the virtualenv (needs Python 3.10-3.13 and PyPI);
//! later runs reuse it while `requirements.txt` is unchanged.

mod interop;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use interop::{Peer, PeerStats};
use serde_json::Value;
use tokenkeeper::transport::{HttpRequest, HttpResponse, HttpTransport, ReqwestTransport};
use tokenkeeper::{Credentials, JsonProfile, RefreshToken, ServerProfile};

const ISSUER: &str = "https://simplejwt.interop.test";
const AUDIENCE: &str = "tokenkeeper-interop";
const USERNAME: &str = "alice";
// A throw-away user of a throw-away server.
const PASSWORD: &str = "interop-password";

/// For the expiry scenario: short enough to wait out.
const SHORT_LIVED: Duration = Duration::from_secs(3);
/// For every other scenario: no refresh falls due while it runs.
const LONG_LIVED: Duration = Duration::from_secs(60);

/// Generous: the first run creates the virtualenv and installs from PyPI, and
/// tests starting together wait for one another's install.
const START_TIMEOUT: Duration = Duration::from_secs(300);
const STDERR_TAIL_LINES: usize = 80;

/// The server process: stopped when dropped (stdin closed, then killed if need be).
struct ServerProcess {
    child: Mutex<Option<Child>>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
}

impl ServerProcess {
    fn stderr_tail(&self) -> String {
        // Also called while panicking: never panic again on a poisoned lock.
        let tail = self
            .stderr_tail
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        tail.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// Closes the server's stdin (its signal to exit) and waits; kills it if it lingers.
    fn stop(&self) {
        let taken = self
            .child
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(mut child) = taken else {
            return;
        };
        drop(child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            // Request lines and Django warnings only: no headers or bodies are logged.
            eprintln!(
                "--- simplejwt server stderr (last lines) ---\n{}",
                self.stderr_tail()
            );
        }
    }
}

struct SimpleJwt {
    base_url: String,
    process: ServerProcess,
    http: ReqwestTransport,
}

impl SimpleJwt {
    async fn start(access_lifetime: Duration) -> SimpleJwt {
        tokio::task::spawn_blocking(move || SimpleJwt::start_blocking(access_lifetime))
            .await
            .expect("the simplejwt start-up task completes")
    }

    fn start_blocking(access_lifetime: Duration) -> SimpleJwt {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/interop/simplejwt/serve.sh");
        let mut child = Command::new("bash")
            .arg(&script)
            .env(
                "SIMPLEJWT_ACCESS_SECONDS",
                access_lifetime.as_secs().to_string(),
            )
            .env("SIMPLEJWT_ISSUER", ISSUER)
            .env("SIMPLEJWT_AUDIENCE", AUDIENCE)
            .env("SIMPLEJWT_TEST_USER", USERNAME)
            .env("SIMPLEJWT_TEST_PASSWORD", PASSWORD)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", script.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let process = ServerProcess {
            child: Mutex::new(Some(child)),
            stderr_tail: Arc::new(Mutex::new(VecDeque::new())),
        };

        // Drain stderr for the whole run (a full pipe would block the server), keeping a tail.
        let tail = Arc::clone(&process.stderr_tail);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut tail = tail.lock().expect("stderr tail lock");
                if tail.len() == STDERR_TAIL_LINES {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        });
        let (first_line, first_line_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = first_line.send(lines.next());
            lines.for_each(drop);
        });

        let base_url = match first_line_rx.recv_timeout(START_TIMEOUT) {
            Ok(Some(Ok(line))) if line.starts_with("listening on http://127.0.0.1:") => {
                line["listening on ".len()..].trim().to_owned()
            }
            outcome => {
                let what = match outcome {
                    Ok(Some(Ok(_))) => "printed something other than `listening on`".to_owned(),
                    Ok(Some(Err(error))) => format!("stdout unreadable: {error}"),
                    Ok(None) => "exited before listening".to_owned(),
                    Err(_) => format!("not listening after {START_TIMEOUT:?}"),
                };
                process.stop();
                // Let the drain thread take the last lines of the dead process.
                std::thread::sleep(Duration::from_millis(200));
                // Taken, so that the drop during this panic does not print it twice.
                let tail = process.stderr_tail();
                process
                    .stderr_tail
                    .lock()
                    .expect("stderr tail lock")
                    .clear();
                panic!(
                    "the simplejwt server ({}) {what}; its stderr ends with:\n{tail}",
                    script.display(),
                );
            }
        };
        SimpleJwt {
            base_url,
            process,
            http: ReqwestTransport::new(Duration::from_secs(20), Duration::from_secs(5))
                .expect("an HTTP client for the test hooks"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn request(&self, request: HttpRequest) -> HttpResponse {
        self.http
            .send(request)
            .await
            .expect("the simplejwt server answers")
    }

    /// `GET /_test/stats/` as sent, simplejwt-only counters included.
    async fn raw_stats(&self) -> Value {
        let response = self
            .request(HttpRequest::get(self.url("/_test/stats/")))
            .await;
        assert_eq!(response.status, 200, "GET /_test/stats/");
        serde_json::from_slice(&response.body).expect("stats are JSON")
    }
}

fn count(stats: &Value, name: &str) -> u64 {
    stats[name]
        .as_u64()
        .unwrap_or_else(|| panic!("stats have no counter {name:?}: {stats}"))
}

#[async_trait]
impl Peer for SimpleJwt {
    fn base_url(&self) -> String {
        self.base_url.clone()
    }

    fn profile(&self) -> ServerProfile {
        ServerProfile::Json(JsonProfile::simplejwt())
    }

    fn issuer(&self) -> String {
        ISSUER.to_owned()
    }

    fn audience(&self) -> String {
        AUDIENCE.to_owned()
    }

    fn credentials(&self) -> Credentials {
        Credentials::new(USERNAME, PASSWORD)
    }

    fn protected_url(&self) -> String {
        self.url("/api/me/")
    }

    /// simplejwt signs RS256 without a `kid`: the client must pick the key by algorithm.
    fn jwks_url(&self) -> Option<String> {
        Some(self.url("/api/jwks/"))
    }

    async fn reject_current_access(&self) {
        let response = self
            .request(HttpRequest::post(self.url("/_test/reject-access/")))
            .await;
        assert_eq!(response.status, 200, "POST /_test/reject-access/");
    }

    async fn present_refresh_token(&self, token: &RefreshToken) -> u16 {
        let body = serde_json::json!({ "refresh": token.expose() }).to_string();
        let request = HttpRequest::post(self.url("/api/token/refresh/"))
            .with_body("application/json", body.into_bytes());
        self.request(request).await.status
    }

    async fn stats(&self) -> PeerStats {
        let stats = self.raw_stats().await;
        PeerStats {
            refresh_requests: count(&stats, "refresh_requests"),
            refresh_refusals: count(&stats, "refresh_refused"),
            reuse_refusals: count(&stats, "refresh_refused_blacklisted"),
            api_unauthorized: count(&stats, "api_unauthorized"),
        }
    }

    async fn stop(&self) {
        // Waits for the process to exit (milliseconds); the tests run on the multi-thread runtime.
        tokio::task::block_in_place(|| self.process.stop());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_then_an_authorised_call_returns_the_user() {
    let peer = SimpleJwt::start(LONG_LIVED).await;
    interop::login_and_authorised_call(&peer).await;

    // The key set a client would verify these tokens with (RFC 7517 / RFC 7518 §6.3).
    let response = peer.request(HttpRequest::get(peer.url("/api/jwks/"))).await;
    assert_eq!(response.status, 200, "GET /api/jwks/");
    let jwks: Value = serde_json::from_slice(&response.body).expect("the JWKS is JSON");
    let keys = jwks["keys"].as_array().expect("a `keys` array");
    assert_eq!(keys.len(), 1, "{jwks}");
    let key = &keys[0];
    assert_eq!(key["kty"], "RSA", "{key}");
    assert_eq!(key["alg"], "RS256", "{key}");
    assert_eq!(key["use"], "sig", "{key}");
    assert!(key.get("kid").is_none(), "simplejwt signs without a kid");
    for (member, bytes) in [("n", 256_usize), ("e", 3)] {
        let text = key[member].as_str().expect("n and e are strings");
        assert!(
            text.len() == (bytes * 4).div_ceil(3)
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{member} is {bytes} bytes, base64url without padding: {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_access_token_is_refreshed_and_the_refresh_token_rotated() {
    let peer = SimpleJwt::start(SHORT_LIVED).await;
    interop::expiry_refresh_with_rotation(&peer).await;

    // simplejwt's own books: login + one rotation issued two refresh tokens,
    // and the rotated-out one is blacklisted.
    let stats = peer.raw_stats().await;
    assert_eq!(count(&stats, "outstanding_tokens"), 2, "{stats}");
    assert_eq!(count(&stats, "blacklisted_tokens"), 1, "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_401s_costs_one_refresh_and_spends_no_token_twice() {
    let peer = SimpleJwt::start(LONG_LIVED).await;
    interop::concurrent_401_storm(&peer).await;

    let stats = peer.raw_stats().await;
    assert_eq!(count(&stats, "outstanding_tokens"), 2, "{stats}");
    assert_eq!(count(&stats, "blacklisted_tokens"), 1, "{stats}");
    assert_eq!(count(&stats, "refresh_refused_blacklisted"), 0, "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_blacklists_the_refresh_token() {
    let peer = SimpleJwt::start(LONG_LIVED).await;
    interop::logout_revokes(&peer).await;

    let stats = peer.raw_stats().await;
    assert_eq!(count(&stats, "blacklisted_tokens"), 1, "{stats}");
    assert_eq!(
        count(&stats, "refresh_refused_blacklisted"),
        1,
        "refused as blacklisted: {stats}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_invalid_credentials_and_keeps_the_session() {
    let peer = SimpleJwt::start(LONG_LIVED).await;
    interop::wrong_password(&peer).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_is_a_transient_error_and_keeps_the_session() {
    let peer = SimpleJwt::start(LONG_LIVED).await;
    interop::server_down(&peer).await;
}
