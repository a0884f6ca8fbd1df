//! Where the CLI keeps its session: the desktop keyring by default, or, when
//! asked, one unencrypted JSON file (for CI boxes and containers without a
//! keyring).

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use tokenkeeper::store::desktop_keyring::DesktopKeyring;
use tokenkeeper::store::{BasicStore, SecureStore, Serialized, StoreError};
use zeroize::Zeroizing;

use crate::errors::{CliError, CliResult};

/// The keyring service name the CLI's items are filed under.
pub const KEYRING_SERVICE: &str = "tokenkeeper-cli";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    Keyring,
    File(PathBuf),
}

impl FromStr for StoreChoice {
    type Err = CliError;

    fn from_str(text: &str) -> Result<Self, CliError> {
        match text.strip_prefix("file:") {
            _ if text == "keyring" => Ok(Self::Keyring),
            Some(path) if !path.is_empty() => Ok(Self::File(PathBuf::from(path))),
            _ => Err(CliError::usage(format!(
                "unknown store {text:?} (expected keyring or file:PATH)"
            ))),
        }
    }
}

impl fmt::Display for StoreChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Keyring => write!(
                f,
                "keyring: {}, service {KEYRING_SERVICE}",
                DesktopKeyring::platform_store()
            ),
            Self::File(path) => write!(f, "file {} (unencrypted)", path.display()),
        }
    }
}

pub fn open(choice: &StoreChoice) -> CliResult<Arc<dyn SecureStore>> {
    match choice {
        StoreChoice::Keyring => match DesktopKeyring::open(KEYRING_SERVICE) {
            Ok(store) => Ok(Arc::new(store)),
            Err(error) => Err(CliError::from_store(error).with_hint(KEYRING_HINT)),
        },
        StoreChoice::File(path) => {
            // Every run says so: a file store is a choice to keep in mind.
            eprintln!(
                "warning: tokens are stored unencrypted in {} (use --store keyring to keep them in the desktop keyring)",
                path.display()
            );
            Ok(Arc::new(Serialized::new(FileStore::new(path.clone()))))
        }
    }
}

pub const KEYRING_HINT: &str =
    "without a desktop keyring, --store file:PATH keeps the session in a file, unencrypted";

/// All values in one JSON file, `{"version":1,"entries":{key: base64}}`.
/// Every write replaces the file atomically (temp file + rename), mode 0600.
/// Writes from one process are serialized by `Serialized`; two CLI processes
/// writing at once can lose one of the writes (last rename wins).
pub struct FileStore {
    path: PathBuf,
}

#[derive(Default, Serialize, Deserialize)]
struct FileContents {
    version: u32,
    entries: BTreeMap<String, String>,
}

impl FileStore {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    fn read(&self) -> Result<FileContents, StoreError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => Zeroizing::new(bytes),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Ok(FileContents::default());
            }
            Err(error) => return Err(self.io_error("cannot read", &error)),
        };
        // The parse error is not shown: it could quote part of a token.
        serde_json::from_slice(&bytes).map_err(|_| {
            StoreError::Corrupt(format!(
                "{} is not a tokenkeeper-cli session file",
                self.path.display()
            ))
        })
    }

    fn write(&self, contents: &FileContents) -> Result<(), StoreError> {
        let json = Zeroizing::new(
            serde_json::to_vec(contents).map_err(|error| StoreError::Other(error.to_string()))?,
        );
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        create_private_dir(dir)
            .map_err(|error| self.io_error("cannot create the folder for", &error))?;
        let name = self
            .path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "session".into());
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = write_private(&temp, &json).and_then(|()| fs::rename(&temp, &self.path));
        if let Err(error) = written {
            let _ = fs::remove_file(&temp);
            return Err(self.io_error("cannot write", &error));
        }
        Ok(())
    }

    fn io_error(&self, what: &str, error: &io::Error) -> StoreError {
        let why = match error.kind() {
            io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => error.to_string(),
        };
        StoreError::Other(format!("{what} {}: {why}", self.path.display()))
    }
}

impl BasicStore for FileStore {
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let contents = self.read()?;
        let encoded = contents.entries.get(key).ok_or(StoreError::NotFound)?;
        STANDARD
            .decode(encoded)
            .map_err(|_| StoreError::Corrupt(format!("the value of {key:?} is not base64")))
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        let mut contents = self.read()?;
        contents.version = 1;
        contents
            .entries
            .insert(key.to_owned(), STANDARD.encode(value));
        self.write(&contents)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        let mut contents = self.read()?;
        if contents.entries.remove(key).is_none() {
            return Ok(());
        }
        self.write(&contents)
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// A new file only the user can read (0600 from the start, not chmod later).
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_choices_parse() {
        assert_eq!("keyring".parse(), Ok(StoreChoice::Keyring));
        assert_eq!(
            "file:/tmp/s.json".parse(),
            Ok(StoreChoice::File("/tmp/s.json".into()))
        );
        let error = "vault".parse::<StoreChoice>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown store \"vault\" (expected keyring or file:PATH)"
        );
        assert!("file:".parse::<StoreChoice>().is_err());
    }

    #[test]
    fn file_store_round_trips_privately() {
        let dir = std::env::temp_dir().join(format!("tk-cli-store-{}", std::process::id()));
        let path = dir.join("nested/session.json");
        let store = FileStore::new(path.clone());
        assert_eq!(store.get("k"), Err(StoreError::NotFound));
        store.set("k", b"\x00\xffbytes").unwrap();
        store.set("other", b"x").unwrap();
        assert_eq!(store.get("k").unwrap(), b"\x00\xffbytes");
        store.delete("k").unwrap();
        store.delete("k").unwrap();
        assert_eq!(store.get("k"), Err(StoreError::NotFound));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::write(&path, "{ not json").unwrap();
        assert!(matches!(store.get("k"), Err(StoreError::Corrupt(_))));
        fs::remove_dir_all(dir).unwrap();
    }
}
