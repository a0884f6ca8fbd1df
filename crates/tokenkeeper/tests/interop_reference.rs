//! The interop scenarios against the reference server, in both server
//! profiles: JSON endpoints, and OAuth 2.0 (endpoints found by discovery,
//! refresh_token grant, RFC 7009 revocation), each verifying signatures
//! against the server's JWKS.

mod interop;

use std::time::Duration;

use async_trait::async_trait;
use tokenkeeper::server::{OAuthProfile, discover};
use tokenkeeper::transport::{HttpRequest, HttpTransport, ReqwestTransport};
use tokenkeeper::{Credentials, JsonProfile, RefreshToken, ServerProfile};
use tokenkeeper_testserver::{TestServer, TestServerConfig};

use interop::{Peer, PeerStats};

#[derive(Clone, Copy)]
enum Profile {
    Json,
    OAuth,
}

struct Reference {
    server: TestServer,
    config: TestServerConfig,
    profile: ServerProfile,
    transport: ReqwestTransport,
}

impl Reference {
    async fn start(profile: Profile, access_ttl: Duration) -> Self {
        let config = TestServerConfig {
            access_ttl,
            ..TestServerConfig::default()
        };
        let server = TestServer::start(config.clone())
            .await
            .expect("reference server starts");
        let transport = ReqwestTransport::default();
        let profile = match profile {
            Profile::Json => ServerProfile::Json(JsonProfile::default()),
            Profile::OAuth => {
                let metadata =
                    discover(&transport, &server.url("/.well-known/openid-configuration"))
                        .await
                        .expect("discovery succeeds");
                assert_eq!(metadata.issuer, config.issuer);
                let profile = OAuthProfile::from_discovery(&metadata, config.client_id.clone());
                assert!(
                    profile.revocation_endpoint.is_some(),
                    "RFC 7009 endpoint discovered"
                );
                ServerProfile::OAuth(profile)
            }
        };
        Self {
            server,
            config,
            profile,
            transport,
        }
    }
}

#[async_trait]
impl Peer for Reference {
    fn base_url(&self) -> String {
        self.server.base_url()
    }

    fn profile(&self) -> ServerProfile {
        self.profile.clone()
    }

    fn issuer(&self) -> String {
        self.config.issuer.clone()
    }

    fn audience(&self) -> String {
        self.config.audience.clone()
    }

    fn credentials(&self) -> Credentials {
        let (email, password) = &self.config.users[0];
        Credentials::new(email.clone(), password.clone())
    }

    fn protected_url(&self) -> String {
        self.server.url("/api/me")
    }

    fn jwks_url(&self) -> Option<String> {
        Some(self.server.url("/.well-known/jwks.json"))
    }

    async fn reject_current_access(&self) {
        self.server.expire_access_tokens();
    }

    async fn present_refresh_token(&self, token: &RefreshToken) -> u16 {
        let request = match &self.profile {
            ServerProfile::Json(_) => {
                let body = serde_json::json!({ "refresh_token": token.expose() }).to_string();
                HttpRequest::post(self.server.url("/auth/refresh"))
                    .with_body("application/json", body.into_bytes())
            }
            ServerProfile::OAuth(profile) => {
                let body = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("grant_type", "refresh_token")
                    .append_pair("refresh_token", token.expose())
                    .append_pair("client_id", &profile.client_id)
                    .finish();
                HttpRequest::post(profile.token_endpoint.clone())
                    .with_body("application/x-www-form-urlencoded", body.into_bytes())
            }
        };
        self.transport
            .send(request)
            .await
            .expect("the server answers")
            .status
    }

    async fn stats(&self) -> PeerStats {
        let counters = self.server.counters();
        PeerStats {
            refresh_requests: counters.refresh_calls,
            refresh_refusals: counters.refresh_calls - counters.refreshes,
            reuse_refusals: counters.reuse_detections,
            api_unauthorized: counters.api_unauthorized,
        }
    }

    async fn stop(&self) {
        self.server.pause().await;
    }
}

const LONG_LIVED: Duration = Duration::from_secs(300);
const SHORT_LIVED: Duration = Duration::from_secs(3);

macro_rules! scenarios_for {
    ($module:ident, $profile:expr) => {
        mod $module {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn login_and_authorised_call() {
                let peer = Reference::start($profile, LONG_LIVED).await;
                interop::login_and_authorised_call(&peer).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn expiry_refresh_with_rotation() {
                let peer = Reference::start($profile, SHORT_LIVED).await;
                interop::expiry_refresh_with_rotation(&peer).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn concurrent_401_storm() {
                let peer = Reference::start($profile, LONG_LIVED).await;
                interop::concurrent_401_storm(&peer).await;
                assert_eq!(peer.server.counters().reuse_detections, 0);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn logout_revokes() {
                let peer = Reference::start($profile, LONG_LIVED).await;
                interop::logout_revokes(&peer).await;
                assert_eq!(peer.server.counters().revocations, 1);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn wrong_password() {
                let peer = Reference::start($profile, LONG_LIVED).await;
                interop::wrong_password(&peer).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn server_down() {
                let peer = Reference::start($profile, LONG_LIVED).await;
                interop::server_down(&peer).await;
            }
        }
    };
}

scenarios_for!(json_profile, Profile::Json);
scenarios_for!(oauth2_profile, Profile::OAuth);
