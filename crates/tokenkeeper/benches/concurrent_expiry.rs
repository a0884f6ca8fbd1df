//! Wall time of 1,000 concurrent `send` calls that all find the access token
//! expired, against the reference server on 127.0.0.1: one refresh, then
//! 1,000 authorised requests. The refresh count is checked on every run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tokenkeeper::clock::ManualClock;
use tokenkeeper::refresh::RefreshBudget;
use tokenkeeper::store::MemoryStore;
use tokenkeeper::transport::{HttpRequest, ReqwestTransport};
use tokenkeeper::{AuthClient, AuthConfig, Credentials};
use tokenkeeper_testserver::{TestServer, TestServerConfig};

const CONCURRENT: usize = 1_000;

fn concurrent_expiry(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let server_config = TestServerConfig::default();
    let (email, password) = server_config.users[0].clone();
    let server = runtime.block_on(TestServer::start(server_config)).unwrap();
    // The device clock is moved past the token's expiry before each burst;
    // the server's own clock is untouched, so its tokens stay good.
    let clock = ManualClock::starting_now();
    let config = AuthConfig::builder(&server.base_url())
        .refresh_budget(RefreshBudget {
            max_refreshes: 100_000,
            window: Duration::from_secs(1),
        })
        .build()
        .unwrap();
    let transport = Arc::new(ReqwestTransport::default());
    let client = AuthClient::new(
        config,
        Arc::new(MemoryStore::new()),
        transport,
        Arc::new(clock.clone()),
    );
    runtime
        .block_on(client.login(Credentials::new(email, password)))
        .unwrap();
    let me = HttpRequest::get(format!("{}/api/me", server.base_url()));

    let mut group = c.benchmark_group("concurrent_expiry");
    group.sample_size(10);
    group.bench_function("1000_sends_one_refresh", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                clock.advance(Duration::from_secs(3600));
                let before = server.counters().refreshes;
                let started = Instant::now();
                runtime.block_on(async {
                    let sends = (0..CONCURRENT).map(|_| {
                        let client = client.clone();
                        let request = me.clone();
                        tokio::spawn(async move { client.send(request).await })
                    });
                    for send in futures::future::join_all(sends).await {
                        assert_eq!(send.unwrap().unwrap().status, 200);
                    }
                });
                total += started.elapsed();
                assert_eq!(
                    server.counters().refreshes - before,
                    1,
                    "one refresh per burst"
                );
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, concurrent_expiry);
criterion_main!(benches);
