//! Settings from flags and the config file, merged with flags first, then the
//! chosen `[servers.NAME]` section, then the file's top level, then defaults.
//!
//! ```toml
//! base_url = "http://127.0.0.1:8080"
//! profile = "json"                      # json | simplejwt | oauth2
//! store = "keyring"                     # or "file:session.json" (relative to this file)
//! default_server = "local"
//!
//! [paths]                               # json and simplejwt
//! login = "/auth/login"
//!
//! [servers.staging]
//! base_url = "https://staging.example.com"
//! profile = "simplejwt"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::args::SettingsArgs;
use crate::errors::{CliError, CliResult};
use crate::profile::ProfileKind;
use crate::store::StoreChoice;

/// Every setting, each optional: the same shape for flags, the file's top
/// level and each server section, so merging is one field-by-field `or`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub base_url: Option<String>,
    pub profile: Option<String>,
    pub username: Option<String>,
    #[serde(default)]
    pub paths: Paths,
    #[serde(default)]
    pub request_fields: RequestFields,
    #[serde(default)]
    pub response_fields: ResponseFieldNames,
    pub client_id: Option<String>,
    /// Only in the file (never a flag): it is a secret.
    pub client_secret: Option<String>,
    pub client_secret_env: Option<String>,
    pub client_auth: Option<String>,
    pub scope: Option<String>,
    pub token_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub discover: Option<bool>,
    pub jwks_url: Option<String>,
    pub jwks_file: Option<PathBuf>,
    pub pem_file: Option<PathBuf>,
    pub pem_alg: Option<String>,
    pub leeway: Option<u64>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub namespace: Option<String>,
    pub store: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub timeout: Option<u64>,
    /// Top level only.
    pub default_server: Option<String>,
    /// Top level only.
    #[serde(default)]
    pub servers: BTreeMap<String, Settings>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paths {
    pub login: Option<String>,
    pub refresh: Option<String>,
    /// `""`: no logout endpoint.
    pub logout: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFields {
    pub username: Option<String>,
    pub password: Option<String>,
    pub refresh: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseFieldNames {
    pub access: Option<String>,
    pub refresh: Option<String>,
    pub id: Option<String>,
    pub expires_in: Option<String>,
}

macro_rules! prefer {
    ($high:ident, $low:ident; $($field:ident).+ ) => {
        $high.$($field).+ = $high.$($field).+.take().or($low.$($field).+.take());
    };
}

impl Settings {
    /// `self` where set, else `lower`.
    fn over(mut self, mut lower: Settings) -> Settings {
        let high = &mut self;
        let low = &mut lower;
        prefer!(high, low; base_url);
        prefer!(high, low; profile);
        prefer!(high, low; username);
        prefer!(high, low; paths.login);
        prefer!(high, low; paths.refresh);
        prefer!(high, low; paths.logout);
        prefer!(high, low; request_fields.username);
        prefer!(high, low; request_fields.password);
        prefer!(high, low; request_fields.refresh);
        prefer!(high, low; response_fields.access);
        prefer!(high, low; response_fields.refresh);
        prefer!(high, low; response_fields.id);
        prefer!(high, low; response_fields.expires_in);
        prefer!(high, low; client_id);
        prefer!(high, low; client_secret);
        prefer!(high, low; client_secret_env);
        prefer!(high, low; client_auth);
        prefer!(high, low; scope);
        prefer!(high, low; token_endpoint);
        prefer!(high, low; revocation_endpoint);
        prefer!(high, low; discover);
        prefer!(high, low; jwks_url);
        prefer!(high, low; jwks_file);
        prefer!(high, low; pem_file);
        prefer!(high, low; pem_alg);
        prefer!(high, low; leeway);
        prefer!(high, low; issuer);
        prefer!(high, low; audience);
        prefer!(high, low; namespace);
        prefer!(high, low; store);
        prefer!(high, low; allowed_origins);
        prefer!(high, low; timeout);
        self
    }

    fn from_flags(args: &SettingsArgs) -> Settings {
        Settings {
            base_url: args.base_url.clone(),
            profile: args.profile.clone(),
            paths: Paths {
                login: args.login_path.clone(),
                refresh: args.refresh_path.clone(),
                logout: args.logout_path.clone(),
            },
            request_fields: RequestFields {
                username: args.username_field.clone(),
                password: args.password_field.clone(),
                refresh: args.refresh_request_field.clone(),
            },
            response_fields: ResponseFieldNames {
                access: args.access_token_field.clone(),
                refresh: args.refresh_token_field.clone(),
                id: args.id_token_field.clone(),
                expires_in: args.expires_in_field.clone(),
            },
            client_id: args.client_id.clone(),
            client_secret_env: args.client_secret_env.clone(),
            client_auth: args.client_auth.clone(),
            scope: args.scope.clone(),
            token_endpoint: args.token_endpoint.clone(),
            revocation_endpoint: args.revocation_endpoint.clone(),
            discover: args.discover.then_some(true),
            jwks_url: args.jwks_url.clone(),
            jwks_file: args.jwks_file.clone(),
            pem_file: args.pem_file.clone(),
            pem_alg: args.pem_alg.clone(),
            leeway: args.leeway,
            issuer: args.issuer.clone(),
            audience: args.audience.clone(),
            namespace: args.namespace.clone(),
            store: args.store.clone(),
            allowed_origins: (!args.allow_origin.is_empty()).then(|| args.allow_origin.clone()),
            timeout: args.timeout,
            ..Settings::default()
        }
    }

    /// Paths in a config file are relative to the file, not to wherever the CLI runs.
    fn rebase(&mut self, dir: &Path) {
        for path in [&mut self.jwks_file, &mut self.pem_file]
            .into_iter()
            .flatten()
        {
            *path = dir.join(&*path);
        }
        if let Some(file) = self.store.as_deref().and_then(|s| s.strip_prefix("file:")) {
            self.store = Some(format!("file:{}", dir.join(file).display()));
        }
        for section in self.servers.values_mut() {
            section.rebase(dir);
        }
    }
}

/// Settings checked and completed with defaults.
#[derive(Debug)]
pub struct Resolved {
    pub base_url: Url,
    pub profile: ProfileKind,
    pub store: StoreChoice,
    pub namespace: String,
    pub timeout: Duration,
    /// Everything else, as merged (profile details, keys, validation).
    pub settings: Settings,
}

/// Reads the config file (if any) and merges it under the flags.
pub fn resolve(args: &SettingsArgs) -> CliResult<Resolved> {
    let flags = Settings::from_flags(args);
    let file = match &args.config {
        Some(path) => Some(read_file(path)?),
        None => match default_path().filter(|path| path.is_file()) {
            Some(path) => Some(read_file(&path)?),
            None => None,
        },
    };
    let merged = match file {
        Some((path, mut top)) => {
            let chosen = args.server.clone().or(top.default_server.take());
            let section = match chosen {
                Some(name) => select_server(&path, &mut top, &name)?,
                None => Settings::default(),
            };
            flags.over(section.over(top))
        }
        None if args.server.is_some() => {
            return Err(CliError::usage(
                "--server needs a config file with [servers.NAME] sections (none found)",
            ));
        }
        None => flags,
    };
    complete(merged)
}

fn select_server(path: &Path, top: &mut Settings, name: &str) -> CliResult<Settings> {
    match top.servers.remove(name) {
        Some(section) => Ok(section),
        None => {
            let known: Vec<&str> = top.servers.keys().map(String::as_str).collect();
            let known = if known.is_empty() {
                "it has none".to_owned()
            } else {
                format!("known: {}", known.join(", "))
            };
            Err(CliError::usage(format!(
                "unknown server {name:?} in {} ({known})",
                path.display()
            )))
        }
    }
}

fn complete(settings: Settings) -> CliResult<Resolved> {
    let text = settings.base_url.as_deref().ok_or_else(|| {
        CliError::usage("no base URL: give --base-url or set base_url in the config file")
    })?;
    let base_url = Url::parse(text)
        .map_err(|error| CliError::usage(format!("invalid base URL {text:?}: {error}")))?;
    if !matches!(base_url.scheme(), "http" | "https") {
        return Err(CliError::usage(format!(
            "invalid base URL {text:?}: the scheme must be https (or http on loopback)"
        )));
    }
    let profile = settings
        .profile
        .as_deref()
        .unwrap_or("json")
        .parse::<ProfileKind>()?;
    let store = settings
        .store
        .as_deref()
        .unwrap_or("keyring")
        .parse::<StoreChoice>()?;
    let namespace = match &settings.namespace {
        Some(namespace) => namespace.clone(),
        None => default_namespace(&base_url),
    };
    let timeout = Duration::from_secs(settings.timeout.unwrap_or(30).max(1));
    Ok(Resolved {
        base_url,
        profile,
        store,
        namespace,
        timeout,
        settings,
    })
}

/// One session per server by default, so a session from one backend is
/// never sent to another: `127.0.0.1-8080`, `api.example.com`.
fn default_namespace(base: &Url) -> String {
    let host = base
        .host_str()
        .unwrap_or("server")
        .trim_matches(|c| c == '[' || c == ']');
    let name = match base.port() {
        Some(port) => format!("{host}-{port}"),
        None => host.to_owned(),
    };
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `$XDG_CONFIG_HOME/tokenkeeper/cli.toml`, else `~/.config/tokenkeeper/cli.toml`.
fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("tokenkeeper").join("cli.toml"))
}

fn read_file(path: &Path) -> CliResult<(PathBuf, Settings)> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        let why = match error.kind() {
            std::io::ErrorKind::NotFound => "not found".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => error.to_string(),
        };
        CliError::usage(format!("cannot read config file {}: {why}", path.display()))
    })?;
    let mut settings = parse(&text).map_err(|(position, message)| {
        CliError::usage(format!(
            "malformed config file {}{position}: {message}",
            path.display()
        ))
    })?;
    for (name, section) in &settings.servers {
        if !section.servers.is_empty() || section.default_server.is_some() {
            return Err(CliError::usage(format!(
                "malformed config file {}: [servers.{name}] cannot hold servers or default_server",
                path.display()
            )));
        }
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    settings.rebase(dir);
    Ok((path.to_owned(), settings))
}

/// Parses the TOML text; on error, where (", line L, column C") and what.
fn parse(text: &str) -> Result<Settings, (String, String)> {
    toml::from_str(text).map_err(|error: toml::de::Error| {
        let position = error
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!(" at line {line}, column {column}")
            })
            .unwrap_or_default();
        (position, error.message().trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_sections_over_the_top_level() {
        let mut top = parse(
            "base_url = \"https://top\"\nprofile = \"simplejwt\"\nleeway = 5\n\
             [servers.a]\nbase_url = \"https://a\"\n[paths]\nlogin = \"/x\"\n",
        )
        .unwrap();
        let section = top.servers.remove("a").unwrap();
        let flags = Settings {
            leeway: Some(9),
            ..Settings::default()
        };
        let merged = flags.over(section.over(top));
        assert_eq!(merged.base_url.as_deref(), Some("https://a"));
        assert_eq!(merged.profile.as_deref(), Some("simplejwt"));
        assert_eq!(merged.leeway, Some(9));
        assert_eq!(merged.paths.login.as_deref(), Some("/x"));
    }

    #[test]
    fn errors_say_where() {
        let (position, message) = parse("base_url = \"x\"\nleeway = \"soon\"\n").unwrap_err();
        assert_eq!(position, " at line 2, column 10");
        assert!(message.contains("invalid type"), "{message}");
        let (position, message) = parse("\n\nbse_url = 1\n").unwrap_err();
        assert_eq!(position, " at line 3, column 1");
        assert!(message.contains("unknown field `bse_url`"), "{message}");
    }

    #[test]
    fn default_namespace_is_per_server() {
        let name = |url: &str| default_namespace(&Url::parse(url).unwrap());
        assert_eq!(name("http://127.0.0.1:8080/x"), "127.0.0.1-8080");
        assert_eq!(name("https://api.example.com"), "api.example.com");
        assert_eq!(name("http://[::1]:9/"), "__1-9");
    }
}
