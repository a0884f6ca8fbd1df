//! The fault task: keeps the reference server's fault queues fed for the whole run, and
//! counts what was injected and what requests actually met.
//!
//! Only faults a correct SDK must absorb or pass through are injected. Not injected:
//! `LostResponse` on the refresh endpoint (the server rotates, the client never sees
//! the new token, and its retry with the spent one is — correctly — reuse, which ends
//! the session: no client can save that), and 4xx answers from the refresh endpoint
//! (definitive by design).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokenkeeper_testserver::{Endpoint, Fault, TestServer};

const fn slow(millis: u64) -> Fault {
    Fault::Delay(Duration::from_millis(millis))
}

const fn busy(status: u16) -> Fault {
    Fault::StatusWithRetryAfter {
        status,
        retry_after_secs: 1,
    }
}

/// Refresh faults, one burst after each successful rotation. A burst holds at most two
/// failures, then at most one slow answer (which succeeds, so it ends the burst's refresh),
/// and is queued only when the queue is empty and a rotation has succeeded since the last
/// one: no refresh meets more than two failed attempts in a row, and the SDK's four
/// attempts (`RetryPolicy::default()`) must absorb every burst.
const REFRESH_BURSTS: [&[Fault]; 10] = [
    &[Fault::Status(503)],
    &[busy(503)],
    &[Fault::DropConnection],
    &[slow(300)],
    &[Fault::Status(502), Fault::DropConnection],
    &[],
    &[Fault::Status(500), slow(500)],
    &[Fault::Status(500), busy(503)],
    &[Fault::DropConnection, slow(400)],
    &[busy(429)],
];

/// API faults, one at a time, about every [`API_FAULT_EVERY`]. Slow answers must not
/// cost the caller anything (a token that expires on the way is refreshed and the request
/// retried); 5xx and dropped connections are the server's or the network's answer to the
/// app's own request, which the SDK passes through (it cannot know whether a generic
/// request is safe to repeat): counted apart, not as SDK failures.
const API_FAULTS: [Fault; 8] = [
    slow(200),
    Fault::Status(500),
    slow(300),
    Fault::Status(503),
    Fault::DropConnection,
    slow(100),
    Fault::Status(502),
    Fault::DropConnection,
];

const API_FAULT_EVERY: Duration = Duration::from_millis(100);

/// Forced expiry (every access token issued so far is refused from then on, as after a
/// server-side revocation) sends the SDK down its reactive path: 401, one shared refresh,
/// one retry. It fires once per rotation, when no rotation happened for [`EXPIRY_QUIET`]:
/// a request retried after a refresh may wait up to 300 ms in a slow-API fault before its
/// token is checked, and an expiry that soon would refuse the retry as well — two 401s for
/// one `send()`, which the SDK (one retry, by design) would rightly pass on. The margin
/// beyond 300 ms absorbs scheduling delays on a loaded machine.
const EXPIRY_QUIET: Duration = Duration::from_millis(800);

const TICK: Duration = Duration::from_millis(20);

/// What requests met, by endpoint and kind.
#[derive(Debug, Default, Clone)]
pub struct FaultTally {
    pub refresh: BTreeMap<&'static str, u64>,
    pub api: BTreeMap<&'static str, u64>,
    pub forced_expiries: u64,
}

impl FaultTally {
    pub fn refresh_total(&self) -> u64 {
        self.refresh.values().sum()
    }

    pub fn api_total(&self) -> u64 {
        self.api.values().sum()
    }

    pub fn api_count(&self, kind: &str) -> u64 {
        self.api.get(kind).copied().unwrap_or(0)
    }

    pub fn absorb(&mut self, other: FaultTally) {
        for (mine, theirs) in [
            (&mut self.refresh, other.refresh),
            (&mut self.api, other.api),
        ] {
            for (kind, count) in theirs {
                *mine.entry(kind).or_default() += count;
            }
        }
        self.forced_expiries += other.forced_expiries;
    }
}

pub fn kind(fault: &Fault) -> &'static str {
    match fault {
        Fault::Delay(_) => "slow",
        Fault::Status(_) => "5xx",
        Fault::StatusWithRetryAfter { .. } => "5xx/429 + Retry-After",
        Fault::DropConnection => "dropped connection",
        Fault::LostResponse => "lost response",
    }
}

/// Injects faults until `stop`, then returns how many of each kind were consumed.
pub async fn run(server: Arc<TestServer>, stop: Arc<AtomicBool>) -> FaultTally {
    let mut feeder = Feeder::default();
    let mut since_api_fault = Duration::ZERO;
    while !stop.load(Ordering::Relaxed) {
        let rotations = server.counters().refreshes;
        feeder.maybe_expire(&server, rotations);
        feeder.feed_refresh(&server, rotations);
        if since_api_fault >= API_FAULT_EVERY {
            feeder.feed_api(&server);
            since_api_fault = Duration::ZERO;
        }
        tokio::time::sleep(TICK).await;
        since_api_fault += TICK;
    }
    feeder.consumed(&server)
}

struct Feeder {
    injected: FaultTally,
    refresh_bursts: usize,
    api_faults: usize,
    /// The server's rotation count when the last refresh burst was queued.
    rotations_seen: u64,
    /// The rotation count at the last tick, and since when it has not moved.
    rotations: u64,
    rotations_still_since: Instant,
    /// The rotation count at the last forced expiry.
    rotations_expired: u64,
    /// The last burst queued per endpoint: what is still pending is its tail (FIFO).
    last_refresh: &'static [Fault],
    last_api: &'static [Fault],
}

impl Default for Feeder {
    fn default() -> Self {
        Self {
            injected: FaultTally::default(),
            refresh_bursts: 0,
            api_faults: 0,
            rotations_seen: 0,
            rotations: 0,
            rotations_still_since: Instant::now(),
            rotations_expired: 0,
            last_refresh: &[],
            last_api: &[],
        }
    }
}

impl Feeder {
    fn maybe_expire(&mut self, server: &TestServer, rotations: u64) {
        if rotations != self.rotations {
            self.rotations = rotations;
            self.rotations_still_since = Instant::now();
        }
        let quiet = self.rotations_still_since.elapsed() >= EXPIRY_QUIET;
        if quiet && rotations > self.rotations_expired {
            server.expire_access_tokens();
            self.rotations_expired = rotations;
            self.injected.forced_expiries += 1;
        }
    }

    fn feed_refresh(&mut self, server: &TestServer, rotations: u64) {
        if rotations <= self.rotations_seen || server.pending_faults(Endpoint::Refresh) > 0 {
            return;
        }
        self.rotations_seen = rotations;
        let burst = REFRESH_BURSTS[self.refresh_bursts % REFRESH_BURSTS.len()];
        self.refresh_bursts += 1;
        inject(server, Endpoint::Refresh, burst, &mut self.injected.refresh);
        self.last_refresh = burst;
    }

    fn feed_api(&mut self, server: &TestServer) {
        if server.pending_faults(Endpoint::Api) > 0 {
            return;
        }
        let index = self.api_faults % API_FAULTS.len();
        self.api_faults += 1;
        let fault = &API_FAULTS[index..=index];
        inject(server, Endpoint::Api, fault, &mut self.injected.api);
        self.last_api = fault;
    }

    /// Injected minus still pending, and empties the queues.
    fn consumed(mut self, server: &TestServer) -> FaultTally {
        let pending_refresh = server.pending_faults(Endpoint::Refresh);
        let pending_api = server.pending_faults(Endpoint::Api);
        server.clear_faults();
        uncount(
            self.last_refresh,
            pending_refresh,
            &mut self.injected.refresh,
        );
        uncount(self.last_api, pending_api, &mut self.injected.api);
        self.injected
    }
}

fn inject(
    server: &TestServer,
    endpoint: Endpoint,
    faults: &[Fault],
    tally: &mut BTreeMap<&'static str, u64>,
) {
    for fault in faults {
        server.inject(endpoint, fault.clone());
        *tally.entry(kind(fault)).or_default() += 1;
    }
}

/// Takes the last `pending` faults of `burst` (never consumed) off the tally.
fn uncount(burst: &[Fault], pending: usize, tally: &mut BTreeMap<&'static str, u64>) {
    let start = burst.len().saturating_sub(pending);
    for fault in &burst[start..] {
        if let Some(count) = tally.get_mut(kind(fault)) {
            *count = count.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_burst_can_outlast_the_default_retry_policy() {
        let attempts = tokenkeeper::refresh::RetryPolicy::default().max_attempts;
        for burst in REFRESH_BURSTS {
            let failures = burst.iter().take_while(|f| !matches!(f, Fault::Delay(_)));
            assert!(failures.count() <= 2 && attempts > 2);
            let slow = burst.iter().position(|f| matches!(f, Fault::Delay(_)));
            assert!(
                slow.is_none_or(|at| at == burst.len() - 1),
                "slow ends a burst"
            );
        }
    }

    #[test]
    fn pending_faults_are_the_tail_of_the_last_burst() {
        let mut tally = BTreeMap::new();
        let burst = REFRESH_BURSTS[8];
        for fault in burst {
            *tally.entry(kind(fault)).or_default() += 1;
        }
        uncount(burst, 1, &mut tally);
        assert_eq!(tally.get("dropped connection"), Some(&1));
        assert_eq!(tally.get("slow"), Some(&0));
    }
}
