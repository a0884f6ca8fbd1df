//! Attaching the bearer token to the app's requests, and the one retry after a 401.

use std::sync::Arc;

use super::Inner;
use crate::error::AuthError;
use crate::session::TokenSet;
use crate::transport::{HttpRequest, HttpResponse};

const UNAUTHORIZED: u16 = 401;

impl Inner {
    pub(super) async fn authorize(
        self: &Arc<Self>,
        request: HttpRequest,
    ) -> Result<HttpRequest, AuthError> {
        if !self.config.origins.allows(&request.url) {
            return Ok(request);
        }
        let tokens = self.usable_tokens().await?;
        Ok(with_bearer(request, &tokens))
    }

    pub(super) async fn send(
        self: &Arc<Self>,
        request: HttpRequest,
    ) -> Result<HttpResponse, AuthError> {
        if !self.config.origins.allows(&request.url) {
            return Ok(self.transport.send(request).await?);
        }
        let tokens = self.usable_tokens().await?;
        let response = self
            .transport
            .send(with_bearer(request.clone(), &tokens))
            .await?;
        if response.status != UNAUTHORIZED || tokens.refresh.is_none() {
            return Ok(response);
        }
        let renewed = self.refresh_from(tokens.generation).await?;
        Ok(self.transport.send(with_bearer(request, &renewed)).await?)
    }
}

fn with_bearer(mut request: HttpRequest, tokens: &TokenSet) -> HttpRequest {
    request.set_header(
        "Authorization",
        format!("Bearer {}", tokens.access.expose()),
    );
    request
}
