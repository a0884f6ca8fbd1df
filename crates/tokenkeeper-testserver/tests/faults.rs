//! Fault injection and availability control (pause/resume, drop, shutdown).

mod common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use common::{client, login, me, read_response, refresh, send_get, start, str_field};
use serde_json::Value;
use tokenkeeper_testserver::{Endpoint, Fault};
use tokio::net::TcpStream;

#[tokio::test]
async fn delay_then_handle_normally() {
    let server = start().await;
    let client = client();
    let session = login(&client, &server).await;
    server.inject(Endpoint::Api, Fault::Delay(Duration::from_millis(300)));
    let started = Instant::now();
    let response = me(&client, &server, str_field(&session, "access_token")).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(response.status(), 200);
    assert_eq!(server.pending_faults(Endpoint::Api), 0);
}

#[tokio::test]
async fn status_faults_answer_without_handling() {
    let server = start().await;
    let client = client();
    let session = login(&client, &server).await;
    let token = str_field(&session, "refresh_token");
    server.inject(Endpoint::Refresh, Fault::Status(503));
    server.inject(
        Endpoint::Refresh,
        Fault::StatusWithRetryAfter {
            status: 429,
            retry_after_secs: 2,
        },
    );
    server.inject(Endpoint::Refresh, Fault::Status(500));

    let first = refresh(&client, &server, token).await.expect("response");
    assert_eq!(first.status(), 503);
    assert!(first.headers().get("retry-after").is_none());
    assert_eq!(
        first.json::<Value>().await.expect("json")["error"],
        "temporarily_unavailable"
    );
    let second = refresh(&client, &server, token).await.expect("response");
    assert_eq!(second.status(), 429);
    assert_eq!(second.headers()["retry-after"], "2");
    let third = refresh(&client, &server, token).await.expect("response");
    assert_eq!(third.status(), 500);
    assert_eq!(
        third.json::<Value>().await.expect("json")["error"],
        "server_error"
    );

    // None of those touched the token: it still rotates once.
    assert_eq!(
        refresh(&client, &server, token)
            .await
            .expect("response")
            .status(),
        200
    );
    let counters = server.counters();
    assert_eq!(
        (
            counters.refresh_calls,
            counters.refreshes,
            counters.reuse_detections
        ),
        (4, 1, 0)
    );
}

/// Logs in, injects `fault` on the refresh endpoint and refreshes once,
/// which must end without an HTTP response. Returns the token it presented.
async fn refresh_without_response(
    fault: Fault,
) -> (tokenkeeper_testserver::TestServer, reqwest::Client, String) {
    let server = start().await;
    let session = login(&client(), &server).await;
    let token = str_field(&session, "refresh_token").to_owned();
    server.inject(Endpoint::Refresh, fault);
    // A fresh client: no pooled connection the fault could make it retry on.
    let client = client();
    let error = refresh(&client, &server, &token)
        .await
        .expect_err("no HTTP response");
    assert!(error.status().is_none() && !error.is_timeout(), "{error:?}");
    (server, client, token)
}

#[tokio::test]
async fn drop_connection_gives_a_connection_error_and_does_not_rotate() {
    let (server, client, token) = refresh_without_response(Fault::DropConnection).await;
    let token = token.as_str();
    assert_eq!(server.counters().refresh_calls, 1);
    assert_eq!(server.counters().refreshes, 0);
    // The server keeps serving, and the token was not spent.
    assert_eq!(
        refresh(&client, &server, token)
            .await
            .expect("response")
            .status(),
        200
    );
    assert_eq!(server.counters().reuse_detections, 0);
}

#[tokio::test]
async fn lost_response_rotates_but_the_client_never_hears() {
    let (server, client, token) = refresh_without_response(Fault::LostResponse).await;
    let token = token.as_str();
    let counters = server.counters();
    assert_eq!(
        (counters.refresh_calls, counters.refreshes),
        (1, 1),
        "rotation happened"
    );
    // Retrying with the token the client still holds is reuse.
    let retry = refresh(&client, &server, token).await.expect("response");
    assert_eq!(retry.status(), 401);
    assert_eq!(
        retry.json::<Value>().await.expect("json")["error_description"],
        "refresh token reuse detected"
    );
    assert_eq!(server.counters().reuse_detections, 1);
}

#[tokio::test]
async fn dropped_connection_sends_no_bytes_and_other_connections_live_on() {
    let server = start().await;
    let mut bystander = TcpStream::connect(server.addr()).await.expect("connect");
    send_get(&mut bystander, "/api/echo").await;
    assert!(read_response(&mut bystander).await.is_some());

    server.inject(Endpoint::Api, Fault::DropConnection);
    let mut victim = TcpStream::connect(server.addr()).await.expect("connect");
    send_get(&mut victim, "/api/echo").await;
    assert_eq!(
        read_response(&mut victim).await,
        None,
        "EOF/reset, not a response"
    );

    server.inject(Endpoint::Api, Fault::LostResponse);
    let mut lost = TcpStream::connect(server.addr()).await.expect("connect");
    send_get(&mut lost, "/api/echo").await;
    assert_eq!(read_response(&mut lost).await, None);

    send_get(&mut bystander, "/api/echo").await;
    let response = read_response(&mut bystander)
        .await
        .expect("bystander still served");
    assert!(response.starts_with("HTTP/1.1 200"));
    assert_eq!(server.counters().api_calls, 4);
}

#[tokio::test]
async fn faults_are_fifo_per_endpoint_group() {
    let server = start().await;
    let client = client();
    server.inject(Endpoint::Login, Fault::Status(502));
    server.inject(Endpoint::Login, Fault::Status(504));
    server.inject(Endpoint::Logout, Fault::Status(500));
    // An OAuth password grant is in the Login group.
    let form = [
        ("grant_type", "password"),
        ("username", common::EMAIL),
        ("password", common::PASSWORD),
    ];
    let oauth = client
        .post(server.url("/oauth/token"))
        .form(&form)
        .send()
        .await
        .expect("response");
    assert_eq!(oauth.status(), 502);
    let json = client
        .post(server.url("/auth/login"))
        .json(&serde_json::json!({"email": common::EMAIL, "password": common::PASSWORD}))
        .send()
        .await
        .expect("response");
    assert_eq!(json.status(), 504);
    login(&client, &server).await;
    assert_eq!(server.pending_faults(Endpoint::Logout), 1);
    server.clear_faults();
    assert_eq!(server.pending_faults(Endpoint::Logout), 0);
    assert_eq!(server.counters().logins, 1);
}

#[tokio::test]
async fn pause_refuses_connections_and_resume_keeps_state() {
    let server = start().await;
    let addr = server.addr();
    let client = client();
    let session = login(&client, &server).await;

    // A keep-alive connection open before the pause is closed by it.
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    send_get(&mut idle, "/api/echo").await;
    assert!(read_response(&mut idle).await.is_some());

    server.pause().await;
    assert!(!server.is_listening().await);
    let refused = TcpStream::connect(addr).await.expect_err("paused");
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
    // Fresh clients: a pooled connection's fate is the client's business, not this test's.
    let error = refresh(
        &common::client(),
        &server,
        str_field(&session, "refresh_token"),
    )
    .await
    .expect_err("down");
    assert!(error.is_connect(), "{error:?}");
    assert_eq!(
        read_response(&mut idle).await,
        None,
        "keep-alive connection closed"
    );

    server.resume().await.expect("resume on the same port");
    server.resume().await.expect("resume is idempotent");
    assert_eq!(server.addr(), addr);
    let rotated = refresh(
        &common::client(),
        &server,
        str_field(&session, "refresh_token"),
    )
    .await
    .expect("up again");
    assert_eq!(rotated.status(), 200, "refresh family survived the pause");
    let counters = server.counters();
    assert_eq!((counters.logins, counters.refreshes), (1, 1));
    assert_eq!(
        counters.refresh_calls, 1,
        "the refused attempt never reached the server"
    );
}

#[tokio::test]
async fn drop_and_shutdown_stop_the_server() {
    let server = start().await;
    let addr = server.addr();
    server.shutdown().await;
    assert_eq!(
        TcpStream::connect(addr)
            .await
            .expect_err("shut down")
            .kind(),
        ErrorKind::ConnectionRefused
    );

    let server = start().await;
    let addr = server.addr();
    drop(server);
    // The accept task is aborted; give the runtime a moment to drop it.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match TcpStream::connect(addr).await {
            Err(e) if e.kind() == ErrorKind::ConnectionRefused => break,
            _ if Instant::now() > deadline => panic!("still listening after drop"),
            _ => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}
