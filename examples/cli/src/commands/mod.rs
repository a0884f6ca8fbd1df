//! The commands, and the session they share: settings resolved, store
//! opened, SDK client built and its stored session read.

mod call;
mod login;
mod session;
mod show;
mod token;

use std::sync::Arc;
use std::time::Duration;

use tokenkeeper::clock::SystemClock;
use tokenkeeper::jwt::Algorithm;
use tokenkeeper::store::StoreError;
use tokenkeeper::{AuthClient, AuthConfig, AuthError, SessionState};

use crate::args::{Cli, Command, SettingsArgs};
use crate::config::{self, Resolved};
use crate::errors::{CliError, CliResult};
use crate::profile::{self, ServerSetup};
use crate::store::{self, KEYRING_HINT, StoreChoice};
use crate::transport::CliTransport;

pub async fn run(cli: Cli) -> CliResult<()> {
    // Only `status` never talks to the server; everything else may (discovery, refresh).
    let online = !matches!(cli.command, Command::Status);
    let session = Session::open(&cli.settings, online).await?;
    let result = match &cli.command {
        Command::Login(args) => login::run(args, &session).await,
        Command::Token(args) => token::token(args, &session).await,
        Command::Call(args) => call::run(args, &session).await,
        Command::Refresh => session::refresh(&session).await,
        Command::Logout => session::logout(&session).await,
        Command::Status => token::status(&session),
    };
    if online {
        session.settle().await;
    }
    result
}

pub struct Session {
    pub client: AuthClient,
    pub transport: Arc<CliTransport>,
    pub resolved: Resolved,
    /// What `restore()` said; each command decides what an error means to it.
    pub restored: Result<SessionState, AuthError>,
}

impl Session {
    async fn open(args: &SettingsArgs, online: bool) -> CliResult<Session> {
        let resolved = config::resolve(args)?;
        let transport = Arc::new(CliTransport::new(resolved.timeout)?);
        let setup = profile::server_setup(&resolved, &transport, online).await?;
        let config = auth_config(&resolved, setup)?;
        let store = store::open(&resolved.store)?;
        let client = AuthClient::new(config, store, transport.clone(), Arc::new(SystemClock));
        let restored = client.restore().await;
        Ok(Session {
            client,
            transport,
            resolved,
            restored,
        })
    }

    /// An SDK error as the CLI reports it.
    pub fn fail(&self, error: AuthError) -> CliError {
        let keyring_unavailable = self.resolved.store == StoreChoice::Keyring
            && matches!(error, AuthError::Storage(StoreError::Unavailable(_)));
        let mapped = CliError::from_auth(error, &self.transport.failures());
        if keyring_unavailable {
            mapped.with_hint(KEYRING_HINT)
        } else {
            mapped
        }
    }

    /// The restored state, or the reason it could not be read.
    pub fn state(&self) -> CliResult<SessionState> {
        self.restored.clone().map_err(|error| self.fail(error))
    }

    /// Gives revocations queued by an earlier offline logout a short chance
    /// to go out before the process ends (the SDK retries them on start).
    async fn settle(&self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.client.flush_pending()).await;
    }
}

fn auth_config(resolved: &Resolved, setup: ServerSetup) -> CliResult<AuthConfig> {
    let settings = &resolved.settings;
    let mut builder = AuthConfig::builder(resolved.base_url.as_str())
        .profile(setup.profile)
        .namespace(&resolved.namespace);
    if let Some(leeway) = settings.leeway {
        builder = builder.leeway(Duration::from_secs(leeway));
    }
    let discovered = setup.discovered.as_ref();
    // Discovery's issuer is what the server's tokens carry; an explicit one wins.
    if let Some(issuer) = settings
        .issuer
        .as_deref()
        .or(discovered.map(|found| found.issuer.as_str()))
    {
        builder = builder.issuer(issuer);
    }
    if let Some(audience) = &settings.audience {
        builder = builder.audience(audience);
    }
    for origin in settings.allowed_origins.iter().flatten() {
        builder = builder.allow_origin(origin);
    }
    let given = [
        settings.jwks_url.is_some(),
        settings.jwks_file.is_some(),
        settings.pem_file.is_some(),
    ];
    if given.iter().filter(|&&set| set).count() > 1 {
        return Err(CliError::usage(
            "give only one of --jwks-url, --jwks-file and --pem-file",
        ));
    }
    if let Some(url) = &settings.jwks_url {
        builder = builder.jwks_url(url);
    } else if let Some(path) = &settings.jwks_file {
        builder = builder.jwks(&read_key_file(path, "JWKS")?);
    } else if let Some(path) = &settings.pem_file {
        let alg = settings.pem_alg.as_deref().ok_or_else(|| {
            CliError::usage("--pem-file needs --pem-alg (RS256, ES256, EdDSA, ...)")
        })?;
        let alg = Algorithm::parse(alg).map_err(|_| {
            CliError::usage(format!(
                "unknown --pem-alg {alg:?} (expected RS256/384/512, PS256/384/512, ES256/384 or EdDSA)"
            ))
        })?;
        builder = builder.pem_key(&read_key_file(path, "PEM key")?, alg);
    } else if let Some(url) = discovered.and_then(|found| found.jwks_uri.as_deref()) {
        builder = builder.jwks_url(url);
    }
    // The SDK's checks (https, namespace, key parsing) as usage errors.
    builder
        .build()
        .map_err(|error| CliError::from_auth(error, &[]))
}

fn read_key_file(path: &std::path::Path, what: &str) -> CliResult<String> {
    std::fs::read_to_string(path).map_err(|error| {
        let why = match error.kind() {
            std::io::ErrorKind::NotFound => "not found".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => error.to_string(),
        };
        CliError::usage(format!("cannot read {what} file {}: {why}", path.display()))
    })
}
