//! JSON profile (`/auth/login`, `/auth/refresh`, `/auth/logout`) over real HTTP.

mod common;

use std::time::Duration;

use common::{EMAIL, PASSWORD, client, login, me, refresh, start, str_field};
use serde_json::{Value, json};
#[tokio::test]
async fn login_returns_tokens_and_counts() {
    let server = start().await;
    let client = client();
    let body = login(&client, &server).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(
        str_field(&body, "refresh_token").len(),
        43,
        "256-bit base64url"
    );
    assert_eq!(str_field(&body, "access_token").split('.').count(), 3);
    assert_eq!(str_field(&body, "id_token").split('.').count(), 3);
    let counters = server.counters();
    assert_eq!(counters.logins, 1);
    assert_eq!(counters.login_failures, 0);
}

#[tokio::test]
async fn login_rejects_bad_credentials_and_malformed_bodies() {
    let server = start().await;
    let client = client();
    let url = server.url("/auth/login");
    for body in [
        json!({"email": EMAIL, "password": "wrong"}),
        json!({"email": "bob@example.com", "password": PASSWORD}),
    ] {
        let response = client.post(&url).json(&body).send().await.expect("request");
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"], "invalid_credentials");
        assert!(body["error_description"].is_string());
    }
    let not_json = client
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    let missing_field = client
        .post(&url)
        .json(&json!({"email": EMAIL}))
        .send()
        .await
        .expect("request");
    let no_content_type = client.post(&url).body("{}").send().await.expect("request");
    for response in [not_json, missing_field, no_content_type] {
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"], "invalid_request");
    }
    let counters = server.counters();
    assert_eq!((counters.logins, counters.login_failures), (0, 2));
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let server = start().await;
    let client = client();
    let first = login(&client, &server).await;
    let r1 = str_field(&first, "refresh_token");

    let response = refresh(&client, &server, r1).await.expect("refresh");
    assert_eq!(response.status(), 200);
    let second: Value = response.json().await.expect("json");
    let r2 = str_field(&second, "refresh_token");
    assert_ne!(r1, r2, "refresh rotates");
    assert_eq!(second["token_type"], "Bearer");
    assert!(second.get("id_token").is_none());
    assert_eq!(
        me(&client, &server, str_field(&second, "access_token"))
            .await
            .status(),
        200
    );

    // Presenting r1 again: reuse detected, whole family revoked.
    let reused = refresh(&client, &server, r1).await.expect("refresh");
    assert_eq!(reused.status(), 401);
    let body: Value = reused.json().await.expect("json");
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "refresh token reuse detected"})
    );
    let after = refresh(&client, &server, r2).await.expect("refresh");
    assert_eq!(
        after.status(),
        401,
        "the newest token of the family is dead too"
    );
    assert_eq!(
        after.json::<Value>().await.expect("json")["error"],
        "invalid_grant"
    );

    let counters = server.counters();
    assert_eq!(counters.refresh_calls, 3);
    assert_eq!(counters.refreshes, 1);
    assert_eq!(counters.reuse_detections, 1);

    // Another login is a new family and unaffected.
    let other = login(&client, &server).await;
    let ok = refresh(&client, &server, str_field(&other, "refresh_token"))
        .await
        .expect("refresh");
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn refresh_errors_unknown_malformed_expired() {
    let server = start().await;
    let client = client();
    let unknown = refresh(&client, &server, "not-a-token")
        .await
        .expect("refresh");
    assert_eq!(unknown.status(), 401);
    assert_eq!(
        unknown.json::<Value>().await.expect("json")["error"],
        "invalid_grant"
    );
    let malformed = client
        .post(server.url("/auth/refresh"))
        .json(&json!({"token": "x"}))
        .send()
        .await
        .expect("request");
    assert_eq!(malformed.status(), 400);

    // The refresh TTL in force when a token is presented decides.
    let session = login(&client, &server).await;
    server.set_refresh_ttl(Duration::ZERO);
    let expired = refresh(&client, &server, str_field(&session, "refresh_token"))
        .await
        .expect("refresh");
    assert_eq!(expired.status(), 401);
    let body: Value = expired.json().await.expect("json");
    assert_eq!(body["error_description"], "refresh token expired");
    server.set_refresh_ttl(Duration::from_secs(60));
    assert_eq!(server.refresh_ttl(), Duration::from_secs(60));
    let ok = refresh(&client, &server, str_field(&session, "refresh_token"))
        .await
        .expect("refresh");
    assert_eq!(ok.status(), 200);

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

#[tokio::test]
async fn logout_revokes_once_and_counts() {
    let server = start().await;
    let client = client();
    let session = login(&client, &server).await;
    let token = str_field(&session, "refresh_token");
    let logout = |token: String| {
        let client = client.clone();
        let url = server.url("/auth/logout");
        async move {
            client
                .post(url)
                .json(&json!({"refresh_token": token}))
                .send()
                .await
                .expect("logout")
        }
    };
    let response = logout(token.to_owned()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.expect("json"), json!({}));
    assert_eq!(
        refresh(&client, &server, token)
            .await
            .expect("refresh")
            .status(),
        401
    );

    assert_eq!(
        logout(token.to_owned()).await.status(),
        200,
        "already revoked: still 200"
    );
    assert_eq!(logout("unknown".to_owned()).await.status(), 200);
    let counters = server.counters();
    assert_eq!((counters.logout_calls, counters.revocations), (3, 1));
    assert_eq!(counters.reuse_detections, 0);
}
