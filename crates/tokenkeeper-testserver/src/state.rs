//! The state every route shares, and the session operations both server profiles use.

use serde::Serialize;

use crate::access::JwtIssuer;
use crate::config::{Lifetimes, TestServerConfig};
use crate::counters::{AtomicCounters, Counter};
use crate::faults::FaultQueues;
use crate::issued::IssuedTokens;
use crate::keys::SigningKeys;
use crate::tokens::{RefreshError, RefreshStore, Subject};

pub(crate) struct AppState {
    /// `(email, password)`; the n-th user (from 1) has `sub` `user-n`.
    users: Vec<(String, String)>,
    pub(crate) client_id: String,
    pub(crate) issuer: String,
    /// `http://127.0.0.1:PORT`, for the discovery document.
    pub(crate) base_url: String,
    pub(crate) lifetimes: Lifetimes,
    pub(crate) jwt: JwtIssuer,
    pub(crate) refresh: RefreshStore,
    pub(crate) faults: FaultQueues,
    pub(crate) counters: AtomicCounters,
    pub(crate) issued: IssuedTokens,
}

/// A successful token response (JSON profile and OAuth profile alike).
#[derive(Debug, Serialize)]
pub(crate) struct TokenSet {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id_token: Option<String>,
    pub(crate) token_type: &'static str,
    pub(crate) expires_in: u64,
}

#[derive(Debug)]
pub(crate) enum AuthError {
    InvalidCredentials,
    Refresh(RefreshError),
    /// Signing failed; not expected.
    Internal(String),
}

impl AppState {
    pub(crate) fn new(config: &TestServerConfig, keys: SigningKeys, base_url: String) -> Self {
        AppState {
            users: config.users.clone(),
            client_id: config.client_id.clone(),
            issuer: config.issuer.clone(),
            base_url,
            lifetimes: Lifetimes::new(config.access_ttl, config.refresh_ttl),
            jwt: JwtIssuer::new(
                keys,
                config.issuer.clone(),
                config.audience.clone(),
                config.client_id.clone(),
            ),
            refresh: RefreshStore::default(),
            faults: FaultQueues::default(),
            counters: AtomicCounters::default(),
            issued: IssuedTokens::default(),
        }
    }

    /// Checks the credentials and starts a new refresh-token family.
    /// Counts `logins` or `login_failures`.
    pub(crate) fn login(&self, email: &str, password: &str) -> Result<TokenSet, AuthError> {
        let found = self
            .users
            .iter()
            .position(|(e, p)| e.eq_ignore_ascii_case(email) && p == password);
        let Some(index) = found else {
            self.counters.incr(Counter::LoginFailures);
            return Err(AuthError::InvalidCredentials);
        };
        let subject = Subject {
            sub: format!("user-{}", index + 1),
            email: self.users[index].0.clone(),
        };
        let ttl = self.lifetimes.access();
        let access = self.jwt.issue_access(&subject, ttl).map_err(internal)?;
        let id_token = self.jwt.issue_id(&subject, ttl).map_err(internal)?;
        let refresh_token = self.refresh.start_family(subject);
        self.issued
            .record(&[&access.token, &id_token, &refresh_token]);
        self.counters.incr(Counter::Logins);
        Ok(TokenSet {
            access_token: access.token,
            refresh_token,
            id_token: Some(id_token),
            token_type: "Bearer",
            expires_in: access.expires_in,
        })
    }

    /// Rotates `refresh_token`. Counts `refreshes` or `reuse_detections`
    /// (the caller counts `refresh_calls`).
    pub(crate) fn refresh(&self, refresh_token: &str) -> Result<TokenSet, AuthError> {
        let (subject, next) = match self.refresh.rotate(refresh_token, self.lifetimes.refresh()) {
            Ok(rotated) => rotated,
            Err(RefreshError::Reused) => {
                self.counters.incr(Counter::ReuseDetections);
                tracing::info!("refresh token reuse detected; family revoked");
                return Err(AuthError::Refresh(RefreshError::Reused));
            }
            Err(error) => return Err(AuthError::Refresh(error)),
        };
        let access = self
            .jwt
            .issue_access(&subject, self.lifetimes.access())
            .map_err(internal)?;
        self.issued.record(&[&access.token, &next]);
        self.counters.incr(Counter::Refreshes);
        Ok(TokenSet {
            access_token: access.token,
            refresh_token: next,
            id_token: None,
            token_type: "Bearer",
            expires_in: access.expires_in,
        })
    }

    /// Revokes the family of `refresh_token`; counts `revocations` if a live one was revoked.
    pub(crate) fn revoke(&self, refresh_token: &str) -> bool {
        let revoked = self.refresh.revoke(refresh_token);
        if revoked {
            self.counters.incr(Counter::Revocations);
        }
        revoked
    }

    /// The signing keys (for the JWKS).
    pub(crate) fn keys(&self) -> &SigningKeys {
        self.jwt.keys()
    }
}

fn internal(error: jsonwebtoken::errors::Error) -> AuthError {
    AuthError::Internal(format!("signing failed: {error}"))
}
