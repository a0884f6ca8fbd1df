//! The README's first command: tokenkeeper against the embedded reference
//! server — log in, call an API, let the token expire, fire 100 requests at
//! once (one refresh), log out for real.
//!
//! Logs go to stderr (`RUST_LOG`, default `warn`). `--issued-tokens-out FILE` writes
//! every token the server issued, for `scripts/log-check.sh`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokenkeeper::store::MemoryStore;
use tokenkeeper::transport::HttpRequest;
use tokenkeeper::{AuthClient, AuthConfig, Credentials, SessionState};
use tokenkeeper_testserver::{TestServer, TestServerConfig};

const BURST: usize = 100;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let issued_tokens_out = issued_tokens_out()?;
    tokenkeeper_testserver::init_stderr_logging();
    let started = Instant::now();
    let step = |text: &str| println!("[{:>6.2} s] {text}", started.elapsed().as_secs_f64());

    let server_config = TestServerConfig {
        access_ttl: Duration::from_secs(3),
        ..TestServerConfig::default()
    };
    let (email, password) = server_config.users[0].clone();
    let (issuer, audience) = (server_config.issuer.clone(), server_config.audience.clone());
    let server = TestServer::start(server_config).await?;
    step(&format!(
        "reference auth server listening on {} (access tokens live 3 s)",
        server.base_url()
    ));

    let config = AuthConfig::builder(&server.base_url())
        .issuer(&issuer)
        .audience(&audience)
        .build()?;
    let client = AuthClient::with_defaults(config, Arc::new(MemoryStore::new()));
    print_events(&client, started);

    let state = client.restore().await?;
    step(&format!("restore(): {state:?} (nothing stored yet)"));

    client
        .login(Credentials::new(email.as_str(), password.as_str()))
        .await?;
    if let Some(claims) = client.claims() {
        step(&format!(
            "logged in as {} — access token expires at {} (iss {}, aud {:?})",
            claims.sub.unwrap_or_default(),
            claims.exp.unwrap_or_default(),
            claims.iss.unwrap_or_default(),
            claims.aud
        ));
    }
    let me = HttpRequest::get(format!("{}/api/me", server.base_url()));
    let response = client.send(me.clone()).await?;
    step(&format!(
        "GET /api/me → {} {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    ));

    // Refreshed tokens live longer, so the burst below needs exactly one refresh.
    server.set_access_ttl(Duration::from_secs(300));
    let until_expiry = time_until_expiry(&client) + Duration::from_millis(100);
    step(&format!(
        "waiting {:.1} s for the access token to expire…",
        until_expiry.as_secs_f64()
    ));
    tokio::time::sleep(until_expiry).await;

    let before = server.counters();
    let burst_started = Instant::now();
    let requests = (0..BURST).map(|_| {
        let client = client.clone();
        let request = me.clone();
        tokio::spawn(async move { client.send(request).await })
    });
    let mut ok = 0;
    for outcome in futures::future::join_all(requests).await {
        if matches!(outcome, Ok(Ok(ref response)) if response.status == 200) {
            ok += 1;
        }
    }
    let after = server.counters();
    step(&format!(
        "{BURST} concurrent requests on the expired token: {ok} × 200 in {:.0} ms — the server counted {} refresh(es), {} unauthorised request(s)",
        burst_started.elapsed().as_secs_f64() * 1000.0,
        after.refreshes - before.refreshes,
        after.api_unauthorized - before.api_unauthorized,
    ));

    let outcome = client.logout().await?;
    step(&format!(
        "logout(): {outcome:?} — the server revoked {} session(s); state is now {:?}",
        server.counters().revocations,
        client.state()
    ));
    match client.send(me).await {
        Err(error) => step(&format!("GET /api/me after logout → error: {error}")),
        Ok(response) => step(&format!(
            "GET /api/me after logout → HTTP {}",
            response.status
        )),
    }
    // Let the event printer catch up before exiting.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(client.state(), SessionState::LoggedOut);
    assert_eq!(ok, BURST, "every request in the burst succeeded");
    assert_eq!(
        after.refreshes - before.refreshes,
        1,
        "one refresh for the whole burst"
    );
    if let Some(path) = issued_tokens_out {
        server
            .write_issued_tokens(&path)
            .map_err(|error| format!("writing {}: {error}", path.display()))?;
    }
    server.shutdown().await;
    step("done");
    Ok(())
}

/// `--issued-tokens-out FILE`, the only option.
fn issued_tokens_out() -> Result<Option<PathBuf>, String> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next(), args.next()) {
        (None, _, _) => Ok(None),
        (Some("--issued-tokens-out"), Some(path), None) => Ok(Some(path.into())),
        _ => Err("usage: tokenkeeper-demo [--issued-tokens-out FILE]".into()),
    }
}

/// Time left before the access token's `exp`, by this device's clock.
fn time_until_expiry(client: &AuthClient) -> Duration {
    let exp = client.claims().and_then(|claims| claims.exp).unwrap_or(0);
    let expires_at = UNIX_EPOCH + Duration::from_secs(u64::try_from(exp).unwrap_or(0));
    expires_at
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO)
}

fn print_events(client: &AuthClient, started: Instant) {
    let mut events = client.subscribe();
    tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            println!(
                "[{:>6.2} s]   event: {event:?}",
                started.elapsed().as_secs_f64()
            );
        }
    });
}
