//! Interop scenarios, written once for any auth server behind [`Peer`]:
//! djangorestframework-simplejwt (`tests/interop_simplejwt.rs`) and the
//! reference server in its JSON and OAuth 2.0 profiles.
//!
//! Each scenario drives a real [`AuthClient`] (built-in reqwest transport,
//! memory store) against a running server and checks both what the client
//! reports and what reached the server. Scenarios may spend tokens, revoke
//! sessions or stop the server: give each one a freshly started peer.
//!
//! Nothing here prints a token or a password: tokens are compared with
//! `assert!`, never `assert_eq!`, whose message would show them.
#![allow(dead_code)] // each test binary runs the scenarios its peer supports

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use tokenkeeper::session::SessionRecord;
use tokenkeeper::store::{MemoryStore, SecureStore, StoreError};
use tokenkeeper::transport::{HttpRequest, HttpResponse};
use tokenkeeper::{
    AuthClient, AuthConfig, AuthError, Credentials, LogoutOutcome, RefreshToken, ServerProfile,
    SessionState,
};

/// Where the client keeps its session (the default namespace).
pub const SESSION_KEY: &str = "tokenkeeper.default.session";
pub const PENDING_LOGOUT_KEY: &str = "tokenkeeper.default.pending-logout";

/// Concurrent requests in the 401 storm.
pub const STORM_SIZE: usize = 50;

/// A running auth server the scenarios talk to, and the few test hooks they need.
#[async_trait]
pub trait Peer: Send + Sync {
    /// What the client is configured with, e.g. `http://127.0.0.1:PORT`.
    fn base_url(&self) -> String;
    /// How the client must speak to this server.
    fn profile(&self) -> ServerProfile;
    /// `iss` of the access tokens (the client is set to require it).
    fn issuer(&self) -> String;
    /// An `aud` of the access tokens (the client is set to require it).
    fn audience(&self) -> String;
    /// A user that exists on the server, with its right password.
    fn credentials(&self) -> Credentials;
    /// A protected `GET` endpoint: 200 with the username somewhere in the body
    /// for a valid bearer token, 401 otherwise.
    fn protected_url(&self) -> String;
    /// From now on the protected endpoint refuses (401) every access token
    /// issued so far, though they have not expired; tokens issued later pass.
    async fn reject_current_access(&self);
    /// POSTs `token` straight to the refresh endpoint, bypassing the client,
    /// and returns the HTTP status.
    async fn present_refresh_token(&self, token: &RefreshToken) -> u16;
    /// Where the server publishes its signing keys, when it does: the client
    /// then verifies every token's signature offline against them.
    fn jwks_url(&self) -> Option<String> {
        None
    }
    /// The server's counters since it started.
    async fn stats(&self) -> PeerStats;
    /// Stops the server; connections are refused afterwards.
    async fn stop(&self);
}

/// What the server counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeerStats {
    /// Requests that reached the refresh endpoint, whatever their outcome.
    pub refresh_requests: u64,
    /// Refresh requests the server answered with an error.
    pub refresh_refusals: u64,
    /// Refusals because the refresh token had been used (rotated out) before:
    /// simplejwt's "blacklisted", the reference server's reuse detection.
    pub reuse_refusals: u64,
    /// Requests to the protected endpoint answered 401.
    pub api_unauthorized: u64,
}

impl PeerStats {
    /// The counts added since `earlier`.
    pub fn since(self, earlier: PeerStats) -> PeerStats {
        PeerStats {
            refresh_requests: self.refresh_requests - earlier.refresh_requests,
            refresh_refusals: self.refresh_refusals - earlier.refresh_refusals,
            reuse_refusals: self.reuse_refusals - earlier.reuse_refusals,
            api_unauthorized: self.api_unauthorized - earlier.api_unauthorized,
        }
    }
}

// ---- helpers -------------------------------------------------------------

/// A client for `peer` on a fresh memory store, requiring the peer's issuer and audience.
pub fn new_client(peer: &dyn Peer) -> (AuthClient, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::new());
    (client_on(peer, store.clone()), store)
}

/// A client for `peer` on `store` (a "restarted app" when the store is reused).
pub fn client_on(peer: &dyn Peer, store: Arc<MemoryStore>) -> AuthClient {
    let mut config = AuthConfig::builder(&peer.base_url())
        .profile(peer.profile())
        .issuer(&peer.issuer())
        .audience(&peer.audience());
    if let Some(jwks_url) = peer.jwks_url() {
        config = config.jwks_url(&jwks_url);
    }
    let config = config
        .build()
        .expect("the peer's settings make a valid client configuration");
    AuthClient::with_defaults(config, store)
}

/// The session record in `store`, if there is one.
pub fn stored_session(store: &MemoryStore) -> Option<SessionRecord> {
    match store.get(SESSION_KEY) {
        Ok(bytes) => Some(SessionRecord::decode(&bytes).expect("the stored session decodes")),
        Err(StoreError::NotFound) => None,
        Err(error) => panic!("memory store failed: {error}"),
    }
}

fn stored_refresh_token(store: &MemoryStore) -> RefreshToken {
    stored_session(store)
        .expect("a stored session")
        .refresh_token
        .expect("the stored session has a refresh token")
}

async fn get_protected(client: &AuthClient, peer: &dyn Peer) -> Result<HttpResponse, AuthError> {
    client.send(HttpRequest::get(peer.protected_url())).await
}

fn assert_is_the_user(response: &HttpResponse, peer: &dyn Peer) {
    assert_eq!(response.status, 200, "protected endpoint status");
    let body = String::from_utf8_lossy(&response.body);
    let username = peer.credentials().username;
    assert!(
        body.contains(&username),
        "the protected endpoint names {username:?}: {body}"
    );
}

fn unix_millis_now() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(since.as_millis()).expect("milliseconds fit in i64")
}

/// A refused refresh: simplejwt answers 401; OAuth servers 400 `invalid_grant` (RFC 6749 §5.2).
fn is_refusal(status: u16) -> bool {
    matches!(status, 400 | 401)
}

// ---- scenarios -----------------------------------------------------------

/// Login, then an authorised call returns the user. The access token carries
/// the issuer and audience the client requires (else login would fail).
pub async fn login_and_authorised_call(peer: &dyn Peer) {
    let (client, store) = new_client(peer);
    let before = peer.stats().await;

    client
        .login(peer.credentials())
        .await
        .expect("login succeeds");
    assert_eq!(client.state(), SessionState::LoggedIn);
    let claims = client.claims().expect("the access token is a JWT");
    assert_eq!(claims.iss.as_deref(), Some(peer.issuer().as_str()));
    assert!(
        claims.aud.contains(&peer.audience()),
        "aud {:?}",
        claims.aud
    );
    assert!(stored_session(&store).is_some(), "the session is stored");

    let response = get_protected(&client, peer).await.expect("send succeeds");
    assert_is_the_user(&response, peer);

    let spent = peer.stats().await.since(before);
    assert_eq!(spent.refresh_requests, 0, "a fresh token needs no refresh");
    assert_eq!(spent.api_unauthorized, 0);
}

/// Past the access token's expiry the next call refreshes first (one refresh
/// request, no 401 on the way), the refresh token rotates, and the rotated-out
/// one is refused by the server afterwards.
///
/// Needs access tokens that live only a few seconds (at most 10).
pub async fn expiry_refresh_with_rotation(peer: &dyn Peer) {
    let (client, store) = new_client(peer);
    client
        .login(peer.credentials())
        .await
        .expect("login succeeds");
    let first = stored_session(&store).expect("a stored session");
    let first_refresh = first.refresh_token.clone().expect("a refresh token");
    let claims = client.claims().expect("the access token is a JWT");
    let (iat, exp) = (
        claims.iat.expect("iat claim"),
        claims.exp.expect("exp claim"),
    );
    assert!(
        exp - iat <= 10,
        "this scenario needs short-lived access tokens; the peer issues {} s ones",
        exp - iat
    );
    let before = peer.stats().await;

    // The server's clock is this machine's: wait until exp has passed here too.
    let wait_ms = (exp * 1000 - unix_millis_now()).max(0) + 100;
    tokio::time::sleep(Duration::from_millis(wait_ms.unsigned_abs())).await;
    let response = get_protected(&client, peer)
        .await
        .expect("send after expiry succeeds");
    assert_is_the_user(&response, peer);

    let spent = peer.stats().await.since(before);
    assert_eq!(spent.refresh_requests, 1, "one refresh after expiry");
    assert_eq!(spent.refresh_refusals, 0);
    assert_eq!(
        spent.api_unauthorized, 0,
        "the expired token was refreshed before use, not sent"
    );

    let second = stored_session(&store).expect("still a stored session");
    let second_refresh = second.refresh_token.clone().expect("a refresh token");
    assert!(
        second.generation > first.generation,
        "a new token generation"
    );
    assert!(
        second.access_token.expose() != first.access_token.expose(),
        "the stored access token was replaced"
    );
    assert!(
        second_refresh.expose() != first_refresh.expose(),
        "the server rotated the refresh token and the store holds the new one"
    );

    // Last, as it may end the session on servers with reuse detection.
    let before_reuse = peer.stats().await;
    let status = peer.present_refresh_token(&first_refresh).await;
    assert!(
        is_refusal(status),
        "the rotated-out refresh token is refused, got HTTP {status}"
    );
    let reuse = peer.stats().await.since(before_reuse);
    assert_eq!(reuse.refresh_refusals, 1);
    assert_eq!(
        reuse.reuse_refusals, 1,
        "refused because it was rotated out"
    );
}

/// The server starts refusing the access token the client still believes
/// valid; [`STORM_SIZE`] concurrent calls then all end 200, exactly one refresh
/// request reaches the server, and none is refused (a refresh token spent
/// twice would be).
///
/// Needs access tokens that outlive the scenario (30 s or more), so no
/// refresh is due for expiry.
pub async fn concurrent_401_storm(peer: &dyn Peer) {
    let (client, store) = new_client(peer);
    client
        .login(peer.credentials())
        .await
        .expect("login succeeds");
    let warm = get_protected(&client, peer)
        .await
        .expect("first send succeeds");
    assert_is_the_user(&warm, peer);
    let first = stored_session(&store).expect("a stored session");
    let before = peer.stats().await;

    peer.reject_current_access().await;
    let sends = (0..STORM_SIZE).map(|_| {
        let client = client.clone();
        let request = HttpRequest::get(peer.protected_url());
        tokio::spawn(async move { client.send(request).await })
    });
    let results = futures::future::join_all(sends).await;
    for result in results {
        let response = result.expect("send task completes").expect("send succeeds");
        assert_eq!(response.status, 200, "every call of the storm ends 200");
    }

    let spent = peer.stats().await.since(before);
    eprintln!(
        "storm: {} of {STORM_SIZE} calls were refused before the refresh",
        spent.api_unauthorized
    );
    assert!(
        spent.api_unauthorized >= 1,
        "the server refused the old access token at least once: {spent:?}"
    );
    assert!(
        spent.api_unauthorized <= STORM_SIZE as u64,
        "no call saw a second 401: {spent:?}"
    );
    assert_eq!(
        spent.refresh_requests, 1,
        "one refresh for the whole storm: {spent:?}"
    );
    assert_eq!(
        spent.refresh_refusals, 0,
        "no refresh token was presented twice: {spent:?}"
    );

    let second = stored_session(&store).expect("still a stored session");
    assert_eq!(
        second.generation,
        first.generation + 1,
        "one new generation"
    );
    let (old, new) = (
        first.refresh_token.expect("a refresh token"),
        second.refresh_token.expect("a refresh token"),
    );
    assert!(old.expose() != new.expose(), "the refresh token rotated");
    assert_eq!(client.state(), SessionState::LoggedIn);
}

/// Logout revokes the refresh token on the server (which then refuses it)
/// and leaves nothing behind: logged out, no session, no queued revocation.
pub async fn logout_revokes(peer: &dyn Peer) {
    let (client, store) = new_client(peer);
    client
        .login(peer.credentials())
        .await
        .expect("login succeeds");
    let refresh = stored_refresh_token(&store);
    let before = peer.stats().await;

    let outcome = client.logout().await.expect("logout succeeds");
    assert_eq!(outcome, LogoutOutcome::Revoked);
    assert_eq!(client.state(), SessionState::LoggedOut);
    assert!(stored_session(&store).is_none(), "no stored session");
    assert_eq!(
        store.get(PENDING_LOGOUT_KEY),
        Err(StoreError::NotFound),
        "nothing left to revoke later"
    );
    assert_eq!(
        client.access_token().await.err(),
        Some(AuthError::NotLoggedIn)
    );
    assert_eq!(
        peer.stats().await.since(before).refresh_requests,
        0,
        "logout does not refresh"
    );

    let status = peer.present_refresh_token(&refresh).await;
    assert!(
        is_refusal(status),
        "the logged-out refresh token is refused, got HTTP {status}"
    );
    let spent = peer.stats().await.since(before);
    assert_eq!(spent.refresh_requests, 1);
    assert_eq!(spent.refresh_refusals, 1);
}

/// A wrong password is `InvalidCredentials`, before a session exists and
/// while one does; the existing session is untouched and keeps working.
pub async fn wrong_password(peer: &dyn Peer) {
    let (client, store) = new_client(peer);
    let right = peer.credentials();
    let wrong = Credentials::new(
        right.username.clone(),
        format!("{}-but-wrong", right.password.as_str()),
    );

    let error = client
        .login(wrong.clone())
        .await
        .expect_err("a wrong password fails");
    assert_eq!(error, AuthError::InvalidCredentials);
    assert!(
        !error.is_transient(),
        "retrying a wrong password is pointless"
    );
    assert_ne!(client.state(), SessionState::LoggedIn);
    assert!(stored_session(&store).is_none(), "nothing stored");

    client.login(right).await.expect("login succeeds");
    let session = stored_session(&store).expect("a stored session");
    let error = client
        .login(wrong)
        .await
        .expect_err("a wrong password fails");
    assert_eq!(error, AuthError::InvalidCredentials);
    assert_eq!(client.state(), SessionState::LoggedIn);
    let kept = stored_session(&store).expect("the session is still stored");
    assert_eq!(
        kept.generation, session.generation,
        "the session is untouched"
    );
    let response = get_protected(&client, peer).await.expect("send succeeds");
    assert_is_the_user(&response, peer);
}

/// With the server down, calls and refreshes fail with a transient network
/// error, and the session (with its refresh token) stays, in memory and in
/// the store, for when the server is back. Stops the peer.
pub async fn server_down(peer: &dyn Peer) {
    let (client, store) = new_client(peer);
    client
        .login(peer.credentials())
        .await
        .expect("login succeeds");
    let session = stored_session(&store).expect("a stored session");

    peer.stop().await;

    let error = get_protected(&client, peer)
        .await
        .expect_err("no server, no response");
    assert!(
        matches!(error, AuthError::Network(_)) && error.is_transient(),
        "a call to a stopped server is a transient network error: {error:?}"
    );
    let error = client.refresh().await.expect_err("no server, no refresh");
    assert!(
        matches!(error, AuthError::Network(_)) && error.is_transient(),
        "a refresh against a stopped server is a transient network error: {error:?}"
    );

    assert_eq!(client.state(), SessionState::LoggedIn, "the session stays");
    let kept = stored_session(&store).expect("the session is still stored");
    assert_eq!(kept.generation, session.generation);
    let (before, after) = (
        session.refresh_token.expect("a refresh token"),
        kept.refresh_token.expect("the refresh token is kept"),
    );
    assert!(
        before.expose() == after.expose(),
        "the stored refresh token is the same one"
    );

    // An app restarted while offline finds the session too.
    let restarted = client_on(peer, store);
    assert_eq!(
        restarted.restore().await.expect("restore succeeds"),
        SessionState::LoggedIn
    );
}
