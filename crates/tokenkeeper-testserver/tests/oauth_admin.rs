//! OAuth 2.0 profile (`/oauth/token`, `/oauth/revoke`, discovery) and the `/_test` admin
//! endpoints over real HTTP.

mod common;

use std::time::Duration;

use common::{EMAIL, PASSWORD, client, login, me, refresh, start, str_field};
use serde_json::{Value, json};
use tokenkeeper_testserver::{Counters, Endpoint};
#[tokio::test]
async fn oauth_token_revoke_and_discovery() {
    let server = start().await;
    let client = client();
    let token_url = server.url("/oauth/token");
    let post = |form: Vec<(&'static str, String)>| {
        let client = client.clone();
        let url = token_url.clone();
        async move {
            client
                .post(url)
                .form(&form)
                .send()
                .await
                .expect("token request")
        }
    };
    let password = |pw: &str| {
        vec![
            ("grant_type", "password".into()),
            ("username", EMAIL.into()),
            ("password", pw.into()),
        ]
    };

    let response = post(password(PASSWORD)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let tokens: Value = response.json().await.expect("json");
    assert_eq!(tokens["token_type"], "Bearer");
    let r1 = str_field(&tokens, "refresh_token").to_owned();

    let bad = post(password("nope")).await;
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.json::<Value>().await.expect("json")["error"],
        "invalid_grant"
    );

    let refresh_form = |token: &str, client_id: Option<&str>| {
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", token.to_owned()),
        ];
        if let Some(id) = client_id {
            form.push(("client_id", id.to_owned()));
        }
        form
    };
    for (client_id, what) in [(None, "missing"), (Some("someone-else"), "wrong")] {
        let response = post(refresh_form(&r1, client_id)).await;
        assert_eq!(response.status(), 401, "{what} client_id");
        assert_eq!(
            response.json::<Value>().await.expect("json")["error"],
            "invalid_client"
        );
    }
    let rotated = post(refresh_form(&r1, Some("tokenkeeper-demo"))).await;
    assert_eq!(rotated.status(), 200);
    let r2 = str_field(
        &rotated.json::<Value>().await.expect("json"),
        "refresh_token",
    )
    .to_owned();
    assert_ne!(r1, r2);

    let reused = post(refresh_form(&r1, Some("tokenkeeper-demo"))).await;
    assert_eq!(reused.status(), 400);
    let body: Value = reused.json().await.expect("json");
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_description"], "refresh token reuse detected");

    let unsupported = post(vec![("grant_type", "client_credentials".into())]).await;
    assert_eq!(unsupported.status(), 400);
    assert_eq!(
        unsupported.json::<Value>().await.expect("json")["error"],
        "unsupported_grant_type"
    );
    let missing = post(vec![("username", EMAIL.into())]).await;
    assert_eq!(missing.status(), 400);
    assert_eq!(
        missing.json::<Value>().await.expect("json")["error"],
        "invalid_request"
    );

    // Revocation (RFC 7009) shares the store with the JSON profile.
    let json_session = login(&client, &server).await;
    let revoke_url = server.url("/oauth/revoke");
    let revoke = |form: Vec<(&'static str, String)>| {
        let client = client.clone();
        let url = revoke_url.clone();
        async move {
            client
                .post(url)
                .form(&form)
                .send()
                .await
                .expect("revoke request")
        }
    };
    let jr = str_field(&json_session, "refresh_token").to_owned();
    let revoked = revoke(vec![
        ("token", jr.clone()),
        ("token_type_hint", "refresh_token".into()),
    ])
    .await;
    assert_eq!(revoked.status(), 200);
    assert_eq!(
        post(refresh_form(&jr, Some("tokenkeeper-demo")))
            .await
            .status(),
        400
    );
    assert_eq!(
        revoke(vec![("token", "unknown".into())]).await.status(),
        200
    );
    assert_eq!(
        revoke(vec![]).await.status(),
        400,
        "missing token parameter"
    );

    let counters = server.counters();
    assert_eq!(counters.logins, 2);
    assert_eq!(counters.login_failures, 1);
    assert_eq!(counters.refresh_calls, 5);
    assert_eq!(counters.refreshes, 1);
    assert_eq!(counters.reuse_detections, 1);
    assert_eq!((counters.logout_calls, counters.revocations), (3, 1));

    let discovery: Value = client
        .get(server.url("/.well-known/openid-configuration"))
        .send()
        .await
        .expect("discovery")
        .json()
        .await
        .expect("json");
    assert_eq!(discovery["issuer"], "https://auth.tokenkeeper.test");
    assert_eq!(discovery["token_endpoint"], server.url("/oauth/token"));
    assert_eq!(
        discovery["revocation_endpoint"],
        server.url("/oauth/revoke")
    );
    assert_eq!(discovery["jwks_uri"], server.url("/.well-known/jwks.json"));
}

#[tokio::test]
async fn admin_endpoints_drive_the_server() {
    let server = start().await;
    let client = client();
    let session = login(&client, &server).await;

    let counters: Counters = client
        .get(server.url("/_test/counters"))
        .send()
        .await
        .expect("counters")
        .json()
        .await
        .expect("json");
    assert_eq!(counters, server.counters());
    assert_eq!(counters.logins, 1);
    assert_eq!(
        client
            .post(server.url("/_test/reset"))
            .send()
            .await
            .expect("reset")
            .status(),
        200
    );
    assert_eq!(server.counters(), Counters::default());

    let fault =
        json!({"endpoint": "refresh", "kind": "status", "status": 503, "retry_after_secs": 7});
    let queued: Value = client
        .post(server.url("/_test/faults"))
        .json(&fault)
        .send()
        .await
        .expect("fault")
        .json()
        .await
        .expect("json");
    assert_eq!(queued["pending"], 1);
    let faulted = refresh(&client, &server, str_field(&session, "refresh_token"))
        .await
        .expect("refresh");
    assert_eq!(faulted.status(), 503);
    assert_eq!(faulted.headers()["retry-after"], "7");
    for bad in [
        json!({"endpoint": "refresh", "kind": "delay"}),
        json!({"endpoint": "nowhere", "kind": "drop_connection"}),
        json!({"endpoint": "api", "kind": "status", "status": 42}),
    ] {
        let response = client
            .post(server.url("/_test/faults"))
            .json(&bad)
            .send()
            .await
            .expect("fault");
        assert_eq!(response.status(), 400, "{bad}");
    }
    let many = json!({"endpoint": "login", "kind": "drop_connection", "count": 3});
    client
        .post(server.url("/_test/faults"))
        .json(&many)
        .send()
        .await
        .expect("fault");
    assert_eq!(server.pending_faults(Endpoint::Login), 3);
    client
        .delete(server.url("/_test/faults"))
        .send()
        .await
        .expect("clear");
    assert_eq!(server.pending_faults(Endpoint::Login), 0);

    let config: Value = client
        .post(server.url("/_test/config"))
        .json(&json!({"access_ttl_ms": 5000, "refresh_ttl_ms": 60000}))
        .send()
        .await
        .expect("config")
        .json()
        .await
        .expect("json");
    assert_eq!(
        config,
        json!({"access_ttl_ms": 5000, "refresh_ttl_ms": 60000})
    );
    assert_eq!(server.access_ttl(), Duration::from_secs(5));
    let fresh = login(&client, &server).await;
    assert_eq!(fresh["expires_in"], 5);

    let access = str_field(&fresh, "access_token");
    assert_eq!(me(&client, &server, access).await.status(), 200);
    let expired = client
        .post(server.url("/_test/expire-access-tokens"))
        .send()
        .await
        .expect("expire");
    assert_eq!(expired.status(), 200);
    assert_eq!(me(&client, &server, access).await.status(), 401);
}
