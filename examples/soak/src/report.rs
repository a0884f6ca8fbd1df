//! The end-of-run report and the verdict.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use std::sync::atomic::{AtomicU64, Ordering};

use tokenkeeper::SessionState;
use tokenkeeper_testserver::Counters;

use crate::faults::FaultTally;
use crate::options::Options;
use crate::session::Outcome;
use crate::workers::Stats;

const KIB_PER_MB: f64 = 1024.0;

/// RSS the embedded servers may add per refresh, by design: they keep every token they
/// issued (about 0.8 KB of JWT and refresh token, for the log check), every refresh token
/// (about 0.15 KB) and every access token's id (about 0.1 KB), so about 1 KB. Four times
/// that leaves room for allocator rounding and the vectors' doubling.
const SERVER_KIB_PER_REFRESH: f64 = 4.0;

/// Everything one run measured.
#[derive(Debug)]
pub struct Report {
    pub duration: Duration,
    pub sessions: usize,
    pub workers: usize,
    pub access_ttl: Duration,
    pub requests: u64,
    pub ok: u64,
    pub server_errors: u64,
    pub unauthorized: u64,
    pub other_status: u64,
    pub api_connection_lost: u64,
    pub sdk_errors: BTreeMap<String, (u64, String)>,
    pub max_latency_ms: u64,
    pub server: Counters,
    pub faults: FaultTally,
    pub sessions_ended: u64,
    /// Each session's state at the end.
    pub final_states: Vec<SessionState>,
    pub warmup: Duration,
    pub rss_start_kib: Option<u64>,
    pub rss_end_kib: Option<u64>,
    /// Growth allowed besides the servers' records: allocator arenas and pools settling.
    pub rss_slack_mb: f64,
    /// Tokens the servers issued and keep, and their length in bytes.
    pub issued_tokens: usize,
    pub issued_token_bytes: usize,
}

impl Report {
    /// Sums what the sessions saw; RSS and the token count are filled in by the caller.
    pub fn new(
        options: &Options,
        access_ttl: Duration,
        stats: &Stats,
        outcomes: Vec<Outcome>,
    ) -> Self {
        let count = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let mut report = Report {
            duration: options.duration,
            sessions: options.sessions,
            workers: options.workers,
            access_ttl,
            requests: count(&stats.requests),
            ok: count(&stats.ok),
            server_errors: count(&stats.server_errors),
            unauthorized: count(&stats.unauthorized),
            other_status: count(&stats.other_status),
            api_connection_lost: count(&stats.api_connection_lost),
            sdk_errors: stats.errors().clone(),
            max_latency_ms: count(&stats.max_latency_ms),
            server: Counters::default(),
            faults: FaultTally::default(),
            sessions_ended: 0,
            final_states: Vec::new(),
            warmup: options.warmup,
            rss_start_kib: None,
            rss_end_kib: None,
            rss_slack_mb: options.rss_slack_mb,
            issued_tokens: 0,
            issued_token_bytes: 0,
        };
        for outcome in outcomes {
            add_counters(&mut report.server, &outcome.server);
            report.faults.absorb(outcome.faults);
            report.sessions_ended += outcome.sessions_ended;
            report.final_states.push(outcome.state);
            report.issued_tokens += outcome.issued_tokens.len();
            report.issued_token_bytes +=
                outcome.issued_tokens.iter().map(String::len).sum::<usize>();
        }
        report
    }

    fn sdk_error_count(&self) -> u64 {
        self.sdk_errors.values().map(|(count, _)| count).sum()
    }

    /// The slack plus what the servers' records may take. A leak of a few hundred bytes
    /// per request (thousands of requests a minute) exceeds it within two minutes.
    fn rss_bound_mb(&self) -> f64 {
        self.rss_slack_mb + self.server.refreshes as f64 * SERVER_KIB_PER_REFRESH / KIB_PER_MB
    }

    fn rss_growth_mb(&self) -> Option<f64> {
        let (start, end) = (self.rss_start_kib?, self.rss_end_kib?);
        Some((end as f64 - start as f64) / KIB_PER_MB)
    }

    /// Why the run failed; empty when it passed.
    ///
    /// "A request a retry could have saved" is any `Err` from `send()` other than the app
    /// request's own lost connection: only transient faults are injected, and spaced so
    /// that the SDK's retry policy can absorb each one, so every such `Err` — a refresh
    /// that gave up, an exhausted budget, an expired session — is one the SDK should
    /// have saved.
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        let mut check = |ok: bool, text: String| {
            if !ok {
                failures.push(text);
            }
        };
        let secs = self.duration.as_secs();
        check(self.requests > 0, "no request was made".into());
        let expected = secs / 4 * self.sessions as u64;
        check(
            self.server.refreshes >= expected,
            format!(
                "only {} refreshes in {secs} s: refresh was not exercised",
                self.server.refreshes
            ),
        );
        check(
            self.unauthorized == 0,
            format!("{} × 401 reached the caller", self.unauthorized),
        );
        check(
            self.sdk_error_count() == 0,
            format!(
                "{} send() errors a retry could have saved",
                self.sdk_error_count()
            ),
        );
        check(
            self.other_status == 0,
            format!("{} unexpected statuses", self.other_status),
        );
        let drops = self.faults.api_count("dropped connection");
        check(
            self.api_connection_lost <= drops,
            format!(
                "{} app requests lost their connection but only {drops} drops were injected",
                self.api_connection_lost
            ),
        );
        let injected_5xx = self.faults.api_count("5xx");
        check(
            self.server_errors <= injected_5xx,
            format!(
                "{} × 5xx returned but only {injected_5xx} injected",
                self.server_errors
            ),
        );
        check(
            self.server.reuse_detections == 0,
            format!("{} refresh-token reuses", self.server.reuse_detections),
        );
        let logged_in = self
            .final_states
            .iter()
            .all(|s| *s == SessionState::LoggedIn);
        check(
            self.sessions_ended == 0 && logged_in,
            format!(
                "a session ended ({} events; states {:?})",
                self.sessions_ended, self.final_states
            ),
        );
        if let Some(growth) = self.rss_growth_mb() {
            let bound = self.rss_bound_mb();
            check(
                growth <= bound,
                format!("RSS grew {growth:.1} MB (bound {bound:.1} MB)"),
            );
        }
        failures
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.duration.as_secs_f64();
        writeln!(
            f,
            "tokenkeeper soak: {secs:.0} s, {} sessions × {} workers, access tokens live {} s",
            self.sessions,
            self.workers,
            self.access_ttl.as_secs()
        )?;
        self.fmt_requests(f)?;
        self.fmt_server(f)?;
        self.fmt_memory(f)?;
        let failures = self.failures();
        if failures.is_empty() {
            writeln!(f, "verdict: PASS")
        } else {
            writeln!(f, "verdict: FAIL — {}", failures.join("; "))
        }
    }
}

impl Report {
    fn fmt_requests(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = self.requests as f64 / self.duration.as_secs_f64();
        writeln!(
            f,
            "requests:              {} ({rate:.0}/s; slowest {} ms)",
            self.requests, self.max_latency_ms
        )?;
        writeln!(f, "  200 OK:              {}", self.ok)?;
        writeln!(
            f,
            "  5xx passed through:  {} (5xx injected on /api/me: {})",
            self.server_errors,
            self.faults.api_count("5xx")
        )?;
        writeln!(
            f,
            "  connection lost:     {} (app request's own connection; drops injected on /api/me: {})",
            self.api_connection_lost,
            self.faults.api_count("dropped connection")
        )?;
        writeln!(f, "  401 surfaced:        {}", self.unauthorized)?;
        writeln!(f, "  other status:        {}", self.other_status)?;
        writeln!(f, "  SDK errors:          {}", self.sdk_error_count())?;
        for (kind, (count, example)) in &self.sdk_errors {
            writeln!(f, "    {kind}: {count} (e.g. \"{example}\")")?;
        }
        Ok(())
    }

    fn fmt_server(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.server;
        writeln!(
            f,
            "server:                {} refreshes ({} refresh calls), {} API calls, {} × 401 absorbed by the SDK, {} reuse detections",
            s.refreshes,
            s.refresh_calls,
            s.api_calls,
            s.api_unauthorized.saturating_sub(self.unauthorized),
            s.reuse_detections
        )?;
        writeln!(
            f,
            "refresh faults met:    {} ({})",
            self.faults.refresh_total(),
            kinds(&self.faults.refresh)
        )?;
        writeln!(
            f,
            "API faults met:        {} ({})",
            self.faults.api_total(),
            kinds(&self.faults.api)
        )?;
        writeln!(
            f,
            "forced expiries:       {} (every access token issued so far refused by /api/me)",
            self.faults.forced_expiries
        )?;
        writeln!(
            f,
            "session-ending events: {} (states at the end: {:?})",
            self.sessions_ended, self.final_states
        )?;
        writeln!(
            f,
            "issued tokens:         {} ({:.0} KB, kept by the servers for the log check)",
            self.issued_tokens,
            self.issued_token_bytes as f64 / 1024.0
        )?;
        Ok(())
    }

    fn fmt_memory(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = |kib: Option<u64>| {
            kib.map_or("n/a".to_owned(), |kib| {
                format!("{:.1} MB", kib as f64 / KIB_PER_MB)
            })
        };
        let growth = self
            .rss_growth_mb()
            .map_or("n/a".to_owned(), |g| format!("{g:+.1} MB"));
        writeln!(
            f,
            "RSS:                   {} after {} s warm-up, {} at the end ({growth}; bound +{:.1} MB = {} MB + 4 KiB × refreshes)",
            mb(self.rss_start_kib),
            self.warmup.as_secs(),
            mb(self.rss_end_kib),
            self.rss_bound_mb(),
            self.rss_slack_mb
        )
    }
}

fn kinds(tally: &BTreeMap<&'static str, u64>) -> String {
    let parts: Vec<String> = tally
        .iter()
        .map(|(kind, count)| format!("{kind} {count}"))
        .collect();
    parts.join(", ")
}

fn add_counters(total: &mut Counters, more: &Counters) {
    total.logins += more.logins;
    total.login_failures += more.login_failures;
    total.refresh_calls += more.refresh_calls;
    total.refreshes += more.refreshes;
    total.reuse_detections += more.reuse_detections;
    total.logout_calls += more.logout_calls;
    total.revocations += more.revocations;
    total.api_calls += more.api_calls;
    total.api_unauthorized += more.api_unauthorized;
}
