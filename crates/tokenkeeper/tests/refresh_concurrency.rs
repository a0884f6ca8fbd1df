//! Single-flight refresh under load, against the reference server.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokenkeeper::SessionEvent;
use tokenkeeper::store::MemoryStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_sends_on_an_expired_token_cost_one_refresh() {
    let server = server_with_ttl(Duration::from_secs(1)).await;
    let client = client(&server, Arc::new(MemoryStore::new()));
    let events = EventLog::attach(&client);
    client.login(alice()).await.unwrap();
    // The refreshed token must outlive the burst, so only one refresh is due.
    server.set_access_ttl(Duration::from_secs(300));
    sleep_until_expired(&client).await;

    let sends = (0..1_000).map(|_| {
        let client = client.clone();
        let request = api(&server, "/api/me");
        tokio::spawn(async move { client.send(request).await })
    });
    for send in futures::future::join_all(sends).await {
        assert_eq!(send.unwrap().unwrap().status, 200);
    }

    let counters = server.counters();
    assert_eq!(counters.refresh_calls, 1);
    assert_eq!(counters.refreshes, 1);
    assert_eq!(
        counters.api_unauthorized, 0,
        "no request went out with the expired token"
    );
    assert_eq!(
        events
            .count(|e| matches!(e, SessionEvent::Refreshed { .. }))
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_401s_in_flight_cost_one_refresh_and_a_late_401_none() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let transport = Arc::new(HookedTransport::new());
    let client = client_with(
        config(&server),
        Arc::new(MemoryStore::new()),
        transport.clone(),
        Arc::new(tokenkeeper::clock::SystemClock),
    );
    client.login(alice()).await.unwrap();
    server.expire_access_tokens();

    // One request takes the old token now but reaches the server only after the refresh.
    let late_gate = transport.hold_next_request("late=1");
    let late = {
        let client = client.clone();
        let request = api(&server, "/api/me?late=1");
        tokio::spawn(async move { client.send(request).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;

    let sends = (0..100).map(|_| {
        let client = client.clone();
        let request = api(&server, "/api/me");
        tokio::spawn(async move { client.send(request).await })
    });
    for send in futures::future::join_all(sends).await {
        assert_eq!(send.unwrap().unwrap().status, 200);
    }
    let after_burst = server.counters();
    assert_eq!(after_burst.refreshes, 1);
    assert_eq!(
        after_burst.api_unauthorized, 100,
        "each request saw its 401"
    );
    assert_eq!(after_burst.api_calls, 200, "and was retried exactly once");

    late_gate.add_permits(1);
    assert_eq!(late.await.unwrap().unwrap().status, 200);
    let end = server.counters();
    assert_eq!(end.api_unauthorized, 101, "the late request did get a 401");
    assert_eq!(end.refresh_calls, 1, "but it caused no second refresh");
}

/// Opt-in length: TOKENKEEPER_HAMMER_SECS (default 30, as the issue asks).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_hammered_by_fifty_tasks_never_reuses_a_refresh_token() {
    let seconds = std::env::var("TOKENKEEPER_HAMMER_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let server = server_with_ttl(Duration::from_secs(2)).await;
    let client = client(&server, Arc::new(MemoryStore::new()));
    let events = EventLog::attach(&client);
    client.login(alice()).await.unwrap();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    let tasks = (0..50).map(|_| {
        let client = client.clone();
        let request = api(&server, "/api/me");
        tokio::spawn(async move {
            let mut calls = 0u32;
            while tokio::time::Instant::now() < deadline {
                let response = client.send(request.clone()).await.expect("send succeeds");
                assert_eq!(response.status, 200);
                calls += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            calls
        })
    });
    let calls: u32 = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|c| c.unwrap())
        .sum();

    let counters = server.counters();
    assert_eq!(counters.reuse_detections, 0);
    assert!(
        counters.refreshes >= seconds as u64 / 2,
        "tokens rotated: {counters:?}"
    );
    assert_eq!(client.state(), tokenkeeper::SessionState::LoggedIn);
    assert_eq!(
        events
            .count(|e| matches!(e, SessionEvent::Expired(_) | SessionEvent::LoggedOut))
            .await,
        0
    );
    assert!(calls > 1_000, "the hammer hammered: {calls}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejections_of_one_token_cost_one_refresh_and_a_stale_rejection_none() {
    let server = server_with_ttl(Duration::from_secs(300)).await;
    let client = client(&server, Arc::new(MemoryStore::new()));
    client.login(alice()).await.unwrap();
    let rejected = client.fresh_access_token().unwrap().expose().to_owned();
    server.expire_access_tokens();

    let renewals = (0..100).map(|_| {
        let client = client.clone();
        let rejected = rejected.clone();
        tokio::spawn(async move { client.renew_after_rejection(&rejected).await })
    });
    let renewed: Vec<String> = futures::future::join_all(renewals)
        .await
        .into_iter()
        .map(|renewal| renewal.unwrap().unwrap().expose().to_owned())
        .collect();
    assert_eq!(server.counters().refreshes, 1);
    assert!(
        renewed
            .iter()
            .all(|token| *token == renewed[0] && *token != rejected)
    );

    // A 401 for the token that was already replaced gets the new one, no refresh.
    let late = client.renew_after_rejection(&rejected).await.unwrap();
    assert_eq!(late.expose(), renewed[0]);
    assert_eq!(server.counters().refreshes, 1);
    let response = client.send(api(&server, "/api/me")).await.unwrap();
    assert_eq!(response.status, 200);
}
