//! One soaked session: its own reference server (so its fault queues serve it alone), one
//! logged-in `AuthClient`, the request loops and the fault task.

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokenkeeper::clock::SystemClock;
use tokenkeeper::refresh::RefreshBudget;
use tokenkeeper::store::MemoryStore;
use tokenkeeper::{AuthClient, AuthConfig, Credentials, SessionEvent, SessionState};
use tokenkeeper_testserver::{Counters, TestServer, TestServerConfig};
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use crate::faults::{self, FaultTally};
use crate::transport::WatchedTransport;
use crate::workers::{Stats, Worker};

pub const ACCESS_TTL: Duration = Duration::from_secs(2);

/// Scheduled renewals do not count against the budget, but refreshes after a 401 on a
/// young token do: the soak forces those about once per rotation (~30 a minute per
/// session), the default budget's whole allowance. 150 a minute still stops a loop.
const BUDGET: RefreshBudget = RefreshBudget {
    max_refreshes: 150,
    window: Duration::from_secs(60),
};

/// What the request loops share across sessions.
pub struct Shared {
    pub transport: Arc<WatchedTransport>,
    pub stats: Arc<Stats>,
    pub next_id: Arc<AtomicU64>,
    pub deadline: Instant,
    pub pause: Duration,
}

pub struct Session {
    server: Arc<TestServer>,
    client: AuthClient,
    sessions_ended: Arc<AtomicU64>,
    stop_faults: Arc<AtomicBool>,
    fault_task: JoinHandle<FaultTally>,
    workers: Vec<JoinHandle<()>>,
}

/// What one session ended with.
pub struct Outcome {
    pub server: Counters,
    pub faults: FaultTally,
    pub sessions_ended: u64,
    pub state: SessionState,
    pub issued_tokens: Vec<String>,
    pub issued_tokens_overflow: u64,
}

impl Session {
    /// Starts the server, logs in, and starts `workers` request loops and the fault task.
    pub async fn start(shared: &Shared, workers: usize) -> Result<Self, Box<dyn Error>> {
        let server_config = TestServerConfig {
            access_ttl: ACCESS_TTL,
            ..TestServerConfig::default()
        };
        let (email, password) = server_config
            .users
            .first()
            .cloned()
            .ok_or("the reference server has no user")?;
        let server = Arc::new(TestServer::start(server_config.clone()).await?);
        let client = new_client(&server, &server_config, Arc::clone(&shared.transport))?;
        let sessions_ended = count_session_ends(&client);
        client.login(Credentials::new(email, password)).await?;

        let stop_faults = Arc::new(AtomicBool::new(false));
        let fault_task = tokio::spawn(faults::run(Arc::clone(&server), Arc::clone(&stop_faults)));
        let url = server.url("/api/me");
        let workers = (0..workers)
            .map(|_| tokio::spawn(worker(shared, &client, &url).run()))
            .collect();
        Ok(Self {
            server,
            client,
            sessions_ended,
            stop_faults,
            fault_task,
            workers,
        })
    }

    /// Waits for the request loops (they stop at the deadline), then stops the faults.
    pub async fn finish(self) -> Result<Outcome, Box<dyn Error>> {
        for worker in self.workers {
            worker.await?;
        }
        self.stop_faults.store(true, Ordering::Relaxed);
        let faults = self.fault_task.await?;
        Ok(Outcome {
            server: self.server.counters(),
            faults,
            sessions_ended: self.sessions_ended.load(Ordering::Relaxed),
            state: self.client.state(),
            issued_tokens: self.server.issued_tokens(),
            issued_tokens_overflow: self.server.issued_tokens_overflow(),
        })
    }
}

fn worker(shared: &Shared, client: &AuthClient, url: &str) -> Worker {
    Worker {
        client: client.clone(),
        transport: Arc::clone(&shared.transport),
        url: url.to_owned(),
        stats: Arc::clone(&shared.stats),
        next_id: Arc::clone(&shared.next_id),
        deadline: shared.deadline,
        pause: shared.pause,
    }
}

fn new_client(
    server: &TestServer,
    server_config: &TestServerConfig,
    transport: Arc<WatchedTransport>,
) -> Result<AuthClient, Box<dyn Error>> {
    let config = AuthConfig::builder(&server.base_url())
        .issuer(&server_config.issuer)
        .audience(&server_config.audience)
        .refresh_budget(BUDGET)
        .build()?;
    Ok(AuthClient::new(
        config,
        Arc::new(MemoryStore::new()),
        transport,
        Arc::new(SystemClock),
    ))
}

/// Counts `Expired` and `LoggedOut` events: neither may happen during a soak.
fn count_session_ends(client: &AuthClient) -> Arc<AtomicU64> {
    let ended = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&ended);
    let mut events = client.subscribe();
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(SessionEvent::Expired(_) | SessionEvent::LoggedOut) => {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                // Missed events are covered by the state check at the end.
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break,
            }
        }
    });
    ended
}
