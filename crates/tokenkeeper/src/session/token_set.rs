use std::time::Duration;

use crate::clock::{UnixMillis, duration_millis};
use crate::error::AuthError;
use crate::jwt::{Claims, JwtError, Malformed, Validation, decode_unverified, seconds_to_millis};
use crate::secret::{AccessToken, IdToken, RefreshToken};
use crate::server::TokenResponse;
use crate::session::SessionRecord;

/// The tokens in use, with everything the hot path needs precomputed so that
/// `access_token()` never decodes a JWT.
#[derive(Debug, Clone)]
pub(crate) struct TokenSet {
    pub access: AccessToken,
    pub refresh: Option<RefreshToken>,
    pub id: Option<IdToken>,
    /// Claims of the access token when it is a JWT (opaque tokens have none).
    pub claims: Option<Claims>,
    /// Server time at which the access token expires, if known.
    pub expires_at: Option<UnixMillis>,
    pub issued_at: Option<UnixMillis>,
    /// Server time from which a proactive refresh is due.
    pub refresh_at: Option<UnixMillis>,
    /// Server time this set arrived from the server (`None` when read from the store).
    pub received_at: Option<UnixMillis>,
    pub generation: u64,
}

impl TokenSet {
    /// Builds the set from a login/refresh answer received at `server_now`.
    /// The access token is validated (exp/nbf with leeway, iss, aud); a new
    /// refresh token replaces `previous_refresh`, none keeps it.
    pub fn from_response(
        response: TokenResponse,
        previous_refresh: Option<RefreshToken>,
        generation: u64,
        server_now: UnixMillis,
        validation: &Validation,
        min_ttl: Duration,
    ) -> Result<Self, AuthError> {
        let claims = read_claims(&response.access_token)?;
        if let Some(claims) = &claims {
            validation.validate(claims, server_now)?;
        }
        let from_expires_in = response.expires_in.map(|secs| {
            server_now.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX).saturating_mul(1000))
        });
        let expires_at = claims
            .as_ref()
            .and_then(|c| c.exp)
            .map(seconds_to_millis)
            .or(from_expires_in);
        let issued_at = claims
            .as_ref()
            .and_then(|c| c.iat)
            .map(seconds_to_millis)
            .or(Some(server_now));
        Ok(Self {
            access: response.access_token,
            refresh: response.refresh_token.or(previous_refresh),
            id: response.id_token,
            claims,
            expires_at,
            issued_at,
            refresh_at: refresh_due(expires_at, issued_at, min_ttl),
            received_at: Some(server_now),
            generation,
        })
    }

    /// Rebuilds the set from a stored record (not validated: an expired
    /// access token is still worth a refresh).
    pub fn from_record(record: SessionRecord, min_ttl: Duration) -> Self {
        let claims = read_claims(&record.access_token).ok().flatten();
        Self {
            refresh_at: refresh_due(record.access_expires_at, record.access_issued_at, min_ttl),
            access: record.access_token,
            refresh: record.refresh_token,
            id: record.id_token,
            claims,
            expires_at: record.access_expires_at,
            issued_at: record.access_issued_at,
            received_at: None,
            generation: record.generation,
        }
    }

    pub fn to_record(&self, server_offset_ms: i64, saved_at: UnixMillis) -> SessionRecord {
        SessionRecord {
            access_token: self.access.clone(),
            refresh_token: self.refresh.clone(),
            id_token: self.id.clone(),
            access_expires_at: self.expires_at,
            access_issued_at: self.issued_at,
            generation: self.generation,
            server_offset_ms,
            saved_at,
        }
    }

    /// Renewing now is the token's ordinary schedule, not a loop: it arrived
    /// with at least a second to live and half of that has passed. Tokens
    /// that arrive dead, or get refused while young, do not qualify.
    pub fn renewal_is_scheduled(&self, server_now: UnixMillis) -> bool {
        match (self.received_at, self.expires_at) {
            (Some(received), Some(expires)) if expires.saturating_sub(received) >= 1000 => {
                server_now.saturating_sub(received) >= expires.saturating_sub(received) / 2
            }
            _ => false,
        }
    }

    /// Good to use without a proactive refresh.
    pub fn is_fresh(&self, server_now: UnixMillis) -> bool {
        self.refresh_at.is_none_or(|at| server_now < at)
    }

    /// Not yet expired (no leeway: never send a token the server will refuse).
    pub fn is_usable(&self, server_now: UnixMillis) -> bool {
        self.expires_at.is_none_or(|at| server_now < at)
    }

    /// Due for refresh but with at least half the refresh margin left, so it
    /// can keep serving requests while a background refresh runs. Closer to
    /// expiry callers wait instead: a token handed out with a few
    /// milliseconds left would expire on the wire and cost a 401 round trip.
    pub fn can_serve_while_refreshing(&self, server_now: UnixMillis) -> bool {
        match (self.expires_at, self.refresh_at) {
            (Some(expires_at), Some(refresh_at)) => {
                let half_margin = expires_at.saturating_sub(refresh_at) / 2;
                server_now < expires_at.saturating_sub(half_margin)
            }
            _ => self.is_usable(server_now),
        }
    }
}

/// Claims of a JWT access token; `None` for an opaque token (not three segments).
fn read_claims(access: &AccessToken) -> Result<Option<Claims>, AuthError> {
    match decode_unverified(access.expose()) {
        Ok(jwt) => Ok(Some(jwt.claims)),
        Err(JwtError::Malformed(Malformed::SegmentCount(1))) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Refresh when less than `min_ttl` is left — but never earlier than half the
/// token's lifetime, so short-lived tokens are not refreshed on every call.
fn refresh_due(
    expires_at: Option<UnixMillis>,
    issued_at: Option<UnixMillis>,
    min_ttl: Duration,
) -> Option<UnixMillis> {
    let expires_at = expires_at?;
    let mut margin = duration_millis(min_ttl);
    if let Some(issued_at) = issued_at {
        margin = margin.min(expires_at.saturating_sub(issued_at).max(0) / 2);
    }
    Some(expires_at.saturating_sub(margin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::test_token;
    use serde_json::json;

    const NOW: UnixMillis = 1_700_000_000_000;

    fn response(access: String, refresh: Option<&str>, expires_in: Option<u64>) -> TokenResponse {
        TokenResponse {
            access_token: AccessToken::new(access),
            refresh_token: refresh.map(RefreshToken::new),
            id_token: None,
            expires_in,
        }
    }

    fn jwt(iat: i64, exp: i64) -> String {
        test_token(
            json!({"alg": "RS256"}),
            json!({"iat": iat, "exp": exp, "sub": "u"}),
        )
    }

    #[test]
    fn a_renewal_is_scheduled_after_half_the_life_the_token_arrived_with() {
        let now_s = NOW / 1000;
        let set = |exp: i64| {
            TokenSet::from_response(
                response(jwt(now_s - 100, exp), Some("r"), None),
                None,
                1,
                NOW,
                &Validation::default(),
                Duration::from_secs(60),
            )
            .unwrap()
        };
        let two_seconds = set(now_s + 2);
        assert!(!two_seconds.renewal_is_scheduled(NOW + 999));
        assert!(two_seconds.renewal_is_scheduled(NOW + 1_000));
        // Arrived (within the leeway) already expired: never on schedule.
        assert!(!set(now_s - 5).renewal_is_scheduled(NOW + 10_000));
    }

    #[test]
    fn jwt_expiry_drives_the_refresh_point() {
        let now_s = NOW / 1000;
        let set = TokenSet::from_response(
            response(jwt(now_s, now_s + 3600), Some("r"), None),
            None,
            1,
            NOW,
            &Validation::default(),
            Duration::from_secs(60),
        )
        .unwrap();
        assert_eq!(set.expires_at, Some(NOW + 3_600_000));
        assert_eq!(set.refresh_at, Some(NOW + 3_540_000));
        assert!(set.is_fresh(NOW + 3_539_999) && !set.is_fresh(NOW + 3_540_000));
        // Refreshing in the background until 30 s before expiry, then callers wait.
        assert!(set.can_serve_while_refreshing(NOW + 3_569_999));
        assert!(!set.can_serve_while_refreshing(NOW + 3_570_000));
        assert!(set.is_usable(NOW + 3_599_999) && !set.is_usable(NOW + 3_600_000));
    }

    #[test]
    fn short_lived_tokens_refresh_at_half_life() {
        let now_s = NOW / 1000;
        let set = TokenSet::from_response(
            response(jwt(now_s, now_s + 2), Some("r"), None),
            None,
            1,
            NOW,
            &Validation::default(),
            Duration::from_secs(60),
        )
        .unwrap();
        assert_eq!(set.refresh_at, Some(NOW + 1_000));
    }

    #[test]
    fn rotation_replaces_and_absence_keeps_the_refresh_token() {
        let validation = Validation::default();
        let min_ttl = Duration::from_secs(60);
        let old = Some(RefreshToken::new("old"));
        let rotated = TokenSet::from_response(
            response("opaque".into(), Some("new"), Some(60)),
            old.clone(),
            2,
            NOW,
            &validation,
            min_ttl,
        )
        .unwrap();
        assert_eq!(rotated.refresh.unwrap().expose(), "new");
        let kept = TokenSet::from_response(
            response("opaque".into(), None, Some(60)),
            old,
            2,
            NOW,
            &validation,
            min_ttl,
        )
        .unwrap();
        assert_eq!(kept.refresh.unwrap().expose(), "old");
    }

    #[test]
    fn opaque_tokens_use_expires_in() {
        let set = TokenSet::from_response(
            response("opaque-token".into(), None, Some(120)),
            None,
            1,
            NOW,
            &Validation::default(),
            Duration::from_secs(60),
        )
        .unwrap();
        assert!(set.claims.is_none());
        assert_eq!(set.expires_at, Some(NOW + 120_000));
        assert_eq!(set.refresh_at, Some(NOW + 60_000));
    }

    #[test]
    fn already_expired_or_malformed_tokens_are_refused() {
        let now_s = NOW / 1000;
        let expired = TokenSet::from_response(
            response(jwt(now_s - 3600, now_s - 600), Some("r"), None),
            None,
            1,
            NOW,
            &Validation::default(),
            Duration::from_secs(60),
        );
        assert!(matches!(
            expired,
            Err(AuthError::Token(JwtError::Expired { .. }))
        ));
        let broken = TokenSet::from_response(
            response("a.b".into(), None, None),
            None,
            1,
            NOW,
            &Validation::default(),
            Duration::from_secs(60),
        );
        assert!(matches!(
            broken,
            Err(AuthError::Token(JwtError::Malformed(_)))
        ));
    }

    #[test]
    fn record_round_trip_keeps_the_refresh_point() {
        let now_s = NOW / 1000;
        let min_ttl = Duration::from_secs(60);
        let set = TokenSet::from_response(
            response(jwt(now_s, now_s + 600), Some("r"), None),
            None,
            5,
            NOW,
            &Validation::default(),
            min_ttl,
        )
        .unwrap();
        let restored = TokenSet::from_record(set.to_record(0, NOW), min_ttl);
        assert_eq!(restored.refresh_at, set.refresh_at);
        assert_eq!(restored.generation, 5);
        assert_eq!(restored.claims, set.claims);
    }
}
