//! Soak test: `AuthClient::send()` in a loop from many tasks for minutes, against
//! embedded reference servers (one per session) issuing 2 s access tokens, while fault
//! tasks keep injecting 5xx, dropped connections, slow answers and forced expiries (see
//! `faults.rs`). Prints a report and exits non-zero if a 401 reached the caller, a
//! `send()` failed that a retry could have saved, a session ended, or memory grew past
//! the bound (see `report.rs`).
//!
//! `scripts/soak.sh [seconds]` runs it; `scripts/log-check.sh` runs it at TRACE level
//! and checks that no issued token appears in its output.

mod faults;
mod options;
mod report;
mod rss;
mod session;
mod transport;
mod workers;

use std::error::Error;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use options::{Options, USAGE};
use report::Report;
use session::{ACCESS_TTL, Outcome, Session, Shared};
use transport::WatchedTransport;
use workers::Stats;

#[tokio::main]
async fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("tokenkeeper-soak: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tokenkeeper_testserver::init_stderr_logging();
    match soak(&options).await {
        Ok(report) => {
            print!("{report}");
            if report.failures().is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("tokenkeeper-soak: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn soak(options: &Options) -> Result<Report, Box<dyn Error>> {
    let shared = Shared {
        transport: Arc::new(WatchedTransport::new()?),
        stats: Arc::new(Stats::default()),
        next_id: Arc::new(AtomicU64::new(0)),
        deadline: Instant::now() + options.duration,
        pause: options.pause,
    };
    let mut sessions = Vec::new();
    for _ in 0..options.sessions {
        sessions.push(Session::start(&shared, options.workers).await?);
    }
    tokio::time::sleep(options.warmup).await;
    let rss_start_kib = rss::resident_kib();
    let mut outcomes = Vec::new();
    for session in sessions {
        outcomes.push(session.finish().await?);
    }
    let rss_end_kib = rss::resident_kib();

    if let Some(path) = &options.issued_tokens_out {
        write_issued_tokens(path, &outcomes)?;
    }
    let mut report = Report::new(options, ACCESS_TTL, &shared.stats, outcomes);
    report.rss_start_kib = rss_start_kib;
    report.rss_end_kib = rss_end_kib;
    Ok(report)
}

/// Every token the sessions' servers issued, one per line; refuses an incomplete list.
fn write_issued_tokens(path: &Path, outcomes: &[Outcome]) -> Result<(), String> {
    let overflow: u64 = outcomes.iter().map(|o| o.issued_tokens_overflow).sum();
    if overflow > 0 {
        return Err(format!("{overflow} issued tokens were not recorded"));
    }
    let tokens = outcomes.iter().flat_map(|o| &o.issued_tokens);
    let text: String = tokens.flat_map(|t| [t.as_str(), "\n"]).collect();
    std::fs::write(path, text).map_err(|error| format!("writing {}: {error}", path.display()))
}
