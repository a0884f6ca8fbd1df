//! `TestServer::issued_tokens()`: every token handed out, by both profiles, in issue order
//! (what the log check greps for).

mod common;

use common::{EMAIL, PASSWORD, client, login, refresh, start, str_field};
use serde_json::Value;
use tokenkeeper_testserver::TestServerConfig;

#[tokio::test]
async fn records_every_token_both_profiles_issue_and_nothing_else() {
    let server = start().await;
    let client = client();
    assert!(server.issued_tokens().is_empty());

    let json_login = login(&client, &server).await;
    let json_refresh: Value = refresh(&client, &server, str_field(&json_login, "refresh_token"))
        .await
        .expect("refresh request")
        .json()
        .await
        .expect("refresh json");

    let oauth = |form: Vec<(&'static str, String)>| {
        let request = client.post(server.url("/oauth/token")).form(&form);
        async move {
            let response = request.send().await.expect("token request");
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.expect("token json")
        }
    };
    let oauth_login = oauth(vec![
        ("grant_type", "password".into()),
        ("username", EMAIL.into()),
        ("password", PASSWORD.into()),
    ])
    .await;
    let oauth_refresh = oauth(vec![
        ("grant_type", "refresh_token".into()),
        (
            "refresh_token",
            str_field(&oauth_login, "refresh_token").into(),
        ),
        ("client_id", TestServerConfig::default().client_id),
    ])
    .await;

    // Refused requests issue nothing.
    let reused = refresh(&client, &server, str_field(&json_login, "refresh_token"))
        .await
        .expect("reuse request");
    assert_eq!(reused.status(), 401);

    let mut expected = Vec::new();
    for (response, fields) in [
        (
            &json_login,
            &["access_token", "id_token", "refresh_token"][..],
        ),
        (&json_refresh, &["access_token", "refresh_token"][..]),
        (
            &oauth_login,
            &["access_token", "id_token", "refresh_token"][..],
        ),
        (&oauth_refresh, &["access_token", "refresh_token"][..]),
    ] {
        expected.extend(fields.iter().map(|f| str_field(response, f).to_owned()));
    }
    assert_eq!(server.issued_tokens(), expected);
    assert_eq!(server.issued_tokens_overflow(), 0);

    let path = std::env::temp_dir().join(format!("issued-tokens-{}.txt", std::process::id()));
    assert_eq!(server.write_issued_tokens(&path).expect("write"), 10);
    let written = std::fs::read_to_string(&path).expect("read back");
    std::fs::remove_file(&path).expect("remove");
    assert_eq!(written.lines().collect::<Vec<_>>(), expected);
}
