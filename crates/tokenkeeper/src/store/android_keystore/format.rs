//! What the backend puts on disk, in plain Rust (no JNI): one file per key,
//! named from the key, holding a versioned header, the GCM IV and the
//! ciphertext; written through a temporary file, fsync and rename.
//!
//! Record, version 1:
//!
//! | bytes | content                                     |
//! |-------|---------------------------------------------|
//! | 4     | magic `TKKS`                                |
//! | 1     | format version (1)                          |
//! | 1     | IV length `n` (12)                          |
//! | n     | IV chosen by the keystore for this write    |
//! | rest  | AES-GCM ciphertext followed by its 16-byte tag |
//!
//! The GCM additional data is the magic, the version and the UTF-8 key, so a
//! record copied under another key's file name fails to decrypt.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::store::StoreError;

const MAGIC: &[u8; 4] = b"TKKS";
const VERSION: u8 = 1;
/// The IV length Android's keystore uses for AES-GCM, and the only one accepted.
pub(super) const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = MAGIC.len() + 2;
/// Keys up to this many UTF-8 bytes are named by their hex encoding (at most
/// 2 + 192 + 5 characters, inside every filesystem's 255); longer ones by a
/// SHA-256 of the key.
const MAX_HEX_KEY_LEN: usize = 96;
const EXTENSION: &str = ".tkks";

/// The file name for `key`: `k-<hex of the UTF-8 key>.tkks`, or for long keys
/// `h-<hex of SHA-256(key)>.tkks`. Only `[0-9a-z.-]`, so safe and unique on
/// any filesystem (also case-insensitive ones) for any key, unicode included.
pub(super) fn file_name(
    key: &str,
    sha256: impl FnOnce(&[u8]) -> Result<Vec<u8>, StoreError>,
) -> Result<String, StoreError> {
    if key.len() <= MAX_HEX_KEY_LEN {
        return Ok(format!("k-{}{EXTENSION}", hex(key.as_bytes())));
    }
    let digest = sha256(key.as_bytes())?;
    if digest.len() != 32 {
        return Err(StoreError::Other(
            "SHA-256 digest of unexpected length".into(),
        ));
    }
    Ok(format!("h-{}{EXTENSION}", hex(&digest)))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}

/// Additional authenticated data for the record of `key`.
pub(super) fn associated_data(key: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(HEADER_LEN + key.len());
    aad.extend_from_slice(MAGIC);
    aad.push(VERSION);
    aad.extend_from_slice(key.as_bytes());
    aad
}

/// A parsed record (ciphertext only: nothing secret).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Record {
    pub iv: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

impl Record {
    pub fn encode(&self) -> Result<Vec<u8>, StoreError> {
        if self.iv.len() != IV_LEN {
            return Err(StoreError::Other(format!(
                "keystore returned a {}-byte IV, expected {IV_LEN}",
                self.iv.len()
            )));
        }
        let mut bytes = Vec::with_capacity(HEADER_LEN + self.iv.len() + self.ciphertext.len());
        bytes.extend_from_slice(MAGIC);
        bytes.push(VERSION);
        bytes.push(IV_LEN as u8);
        bytes.extend_from_slice(&self.iv);
        bytes.extend_from_slice(&self.ciphertext);
        Ok(bytes)
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, StoreError> {
        let corrupt = |why: &str| StoreError::Corrupt(format!("record file: {why}"));
        let header = bytes
            .get(..HEADER_LEN)
            .ok_or_else(|| corrupt("shorter than its header"))?;
        if &header[..MAGIC.len()] != MAGIC {
            return Err(corrupt("not a tokenkeeper record (bad magic)"));
        }
        let version = header[MAGIC.len()];
        if version != VERSION {
            return Err(corrupt(&format!("unsupported format version {version}")));
        }
        let iv_len = usize::from(header[MAGIC.len() + 1]);
        if iv_len != IV_LEN {
            return Err(corrupt(&format!("unexpected IV length {iv_len}")));
        }
        let rest = &bytes[HEADER_LEN..];
        if rest.len() < iv_len + TAG_LEN {
            return Err(corrupt("truncated"));
        }
        let (iv, ciphertext) = rest.split_at(iv_len);
        Ok(Self {
            iv: iv.to_vec(),
            ciphertext: ciphertext.to_vec(),
        })
    }
}

/// Maps an I/O failure: a missing file is `NotFound`, a denied one
/// `Unavailable` (on Android: credential-encrypted storage before the first
/// unlock), anything else `Other`. Never includes file contents.
pub(super) fn io_error(action: &str, error: &io::Error) -> StoreError {
    match error.kind() {
        io::ErrorKind::NotFound => StoreError::NotFound,
        io::ErrorKind::PermissionDenied => {
            StoreError::Unavailable(format!("{action}: permission denied"))
        }
        kind => StoreError::Other(format!("{action}: {kind}")),
    }
}

/// [`io_error`] for writes, where a missing path is a failure, not `NotFound`.
fn write_error(action: &str, error: &io::Error) -> StoreError {
    match io_error(action, error) {
        StoreError::NotFound => StoreError::Other(format!("{action}: path not found")),
        other => other,
    }
}

/// Creates the store directory (owner-only on Unix) if missing and checks it
/// is a directory.
pub(super) fn prepare_directory(directory: &Path) -> Result<(), StoreError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(directory)
        .map_err(|error| match error.kind() {
            io::ErrorKind::NotFound => {
                StoreError::Other("store directory cannot be created: a parent is missing".into())
            }
            _ => write_error("store directory cannot be created", &error),
        })?;
    let metadata =
        fs::metadata(directory).map_err(|error| write_error("store directory", &error))?;
    if !metadata.is_dir() {
        return Err(StoreError::Other(
            "store directory is not a directory".into(),
        ));
    }
    Ok(())
}

/// Reads the record file, `NotFound` when there is none.
pub(super) fn read(path: &Path) -> Result<Vec<u8>, StoreError> {
    fs::read(path).map_err(|error| io_error("reading the record", &error))
}

/// Replaces the file at `path` with `bytes` atomically: a temporary file in
/// the same directory, written and fsynced, renamed over the old one, then
/// the directory fsynced so the rename itself survives a crash.
pub(super) fn write_atomically(
    directory: &Path,
    path: &Path,
    bytes: &[u8],
) -> Result<(), StoreError> {
    let temporary = temporary_path(directory, path);
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
            .or_else(|error| {
                if error.kind() == io::ErrorKind::NotFound {
                    // The directory went away since construction: make it again.
                    prepare_directory(directory)?;
                    OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(&temporary)
                        .map_err(|error| write_error("creating the record", &error))
                } else {
                    Err(write_error("creating the record", &error))
                }
            })?;
        file.write_all(bytes)
            .map_err(|error| write_error("writing the record", &error))?;
        file.sync_all()
            .map_err(|error| write_error("syncing the record", &error))?;
        drop(file);
        fs::rename(&temporary, path).map_err(|error| write_error("replacing the record", &error))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result?;
    sync_directory(directory);
    Ok(())
}

/// Removes the record; a missing one is fine.
pub(super) fn remove(directory: &Path, path: &Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Ok(()) => {
            sync_directory(directory);
            Ok(())
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(write_error("deleting the record", &error)),
    }
}

fn temporary_path(directory: &Path, path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    directory.join(format!(".{name}.tmp-{:016x}", fastrand::u64(..)))
}

/// Best effort: some filesystems refuse fsync on a directory; the data is
/// already synced and renamed by then.
fn sync_directory(directory: &Path) {
    if let Ok(handle) = File::open(directory) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_hash(_: &[u8]) -> Result<Vec<u8>, StoreError> {
        panic!("short keys are not hashed")
    }

    #[test]
    fn names_are_safe_and_distinct() {
        let a = file_name("tokenkeeper.default.session", no_hash).unwrap();
        let b = file_name("tokenkeeper.default.Session", no_hash).unwrap();
        let c = file_name("ünïcødé/../🔑", no_hash).unwrap();
        assert_ne!(
            a, b,
            "case differences survive case-insensitive filesystems"
        );
        for name in [&a, &b, &c] {
            assert!(
                name.chars().all(|ch| ch.is_ascii_digit()
                    || ch.is_ascii_lowercase()
                    || ch == '.'
                    || ch == '-'),
                "{name}"
            );
        }
        let long = "x".repeat(200);
        let hashed = file_name(&long, |_| Ok(vec![0xab; 32])).unwrap();
        assert_eq!(hashed, format!("h-{}.tkks", "ab".repeat(32)));
        assert!(
            file_name(&"y".repeat(MAX_HEX_KEY_LEN), no_hash)
                .unwrap()
                .len()
                < 255
        );
    }

    #[test]
    fn records_round_trip_and_reject_garbage() {
        let record = Record {
            iv: vec![7; IV_LEN],
            ciphertext: vec![1; 40],
        };
        let bytes = record.encode().unwrap();
        assert_eq!(Record::decode(&bytes).unwrap(), record);
        for bad in [
            &b""[..],
            b"TKK",
            b"XXXX\x01\x0c000000000000tag-tag-tag-tag-",
            b"TKKS\x02\x0c000000000000tag-tag-tag-tag-",
            b"TKKS\x01\x10000000000000tag-tag-tag-tag-",
            b"TKKS\x01\x0c000000000000short",
        ] {
            assert!(
                matches!(Record::decode(bad), Err(StoreError::Corrupt(_))),
                "{bad:?}"
            );
        }
        let short_iv = Record {
            iv: vec![0; 16],
            ciphertext: vec![],
        };
        assert!(matches!(short_iv.encode(), Err(StoreError::Other(_))));
    }
}
