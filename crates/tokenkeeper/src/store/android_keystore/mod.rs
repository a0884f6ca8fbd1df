//! Android Keystore backend over JNI.
//!
//! Each value is encrypted with AES-256-GCM under one key generated inside
//! AndroidKeyStore (non-exportable; StrongBox-backed when the device has one,
//! else the TEE; no user-authentication requirement), with a fresh IV chosen
//! by the keystore for every write. The IV and ciphertext go to one file per
//! key in an app-private directory (by default `noBackupFilesDir/tokenkeeper`),
//! written atomically (temporary file, fsync, rename). See
//! `docs/storage-android.md` for where data lives and what survives backup,
//! restore, reinstall and lock-screen changes.
//!
//! Errors: a permanently invalidated or unrecoverable key (or one the
//! keystore lost) reads as [`StoreError::KeyInvalidated`] and the next `set`
//! replaces the key; a failed GCM tag or a malformed file is
//! [`StoreError::Corrupt`]; other Java exceptions are [`StoreError::Other`]
//! with the exception's class name only. Values never appear in errors, logs
//! or `Debug`.
//!
//! Concurrency: [`AndroidKeystoreStore`] is a [`BasicStore`]; use it through
//! [`Serialized`] (see [`AndroidKeystoreStore::open`]), whose lock makes
//! `compare_and_set` atomic against every write through that object. Not
//! against other processes or other store objects on the same directory:
//! keep one store per directory per process.
//!
//! The JNI code is not `cfg(target_os = "android")`: it compiles everywhere
//! and its tests run it in a host JVM against a stand-in "AndroidKeyStore"
//! JCA provider.

mod format;
mod jvm;

use std::fmt;
use std::path::{Component, Path, PathBuf};

use jni::objects::JObject;
use jni::{Env, JavaVM};

use crate::store::{BasicStore, Serialized, StoreError};

use format::Record;
use jvm::Keystore;

/// The store's subdirectory of `noBackupFilesDir` in [`AndroidKeystoreStore::from_context`].
pub const DEFAULT_SUBDIRECTORY: &str = "tokenkeeper";
/// The AndroidKeyStore alias of the key when the app does not pick one.
pub const DEFAULT_KEY_ALIAS: &str = "tokenkeeper.store.aes-gcm.v1";

/// Values encrypted under an AndroidKeyStore key, one file per key.
pub struct AndroidKeystoreStore {
    directory: PathBuf,
    keystore: Keystore,
}

impl AndroidKeystoreStore {
    /// A store keeping its files in `directory` (created, owner-only, if
    /// missing) under the AndroidKeyStore key `key_alias` (generated on the
    /// first write). Does not call into the JVM. Use one directory per alias.
    pub fn new(
        vm: JavaVM,
        directory: impl Into<PathBuf>,
        key_alias: &str,
    ) -> Result<Self, StoreError> {
        if key_alias.is_empty() {
            return Err(StoreError::Other("the key alias is empty".into()));
        }
        let directory = directory.into();
        format::prepare_directory(&directory)?;
        Ok(Self {
            directory,
            keystore: Keystore::new(vm, key_alias),
        })
    }

    /// [`Self::new`], wrapped in [`Serialized`] for an atomic `compare_and_set`.
    pub fn open(
        vm: JavaVM,
        directory: impl Into<PathBuf>,
        key_alias: &str,
    ) -> Result<Serialized<Self>, StoreError> {
        Self::new(vm, directory, key_alias).map(Serialized::new)
    }

    /// A store in `context.getNoBackupFilesDir()/tokenkeeper`, for the init
    /// call from Kotlin that hands Rust its `Context` (JNA runs no
    /// `JNI_OnLoad`). Android never backs that directory up.
    pub fn from_context(
        env: &mut Env,
        context: &JObject,
        key_alias: &str,
    ) -> Result<Self, StoreError> {
        let directory = no_backup_directory(env, context, DEFAULT_SUBDIRECTORY)?;
        let vm = env
            .get_java_vm()
            .map_err(|error| jvm::Fault::from(error).into_store_error())?;
        Self::new(vm, directory, key_alias)
    }

    pub fn directory(&self) -> &Path {
        &self.directory
    }

    pub fn key_alias(&self) -> &str {
        self.keystore.alias()
    }

    /// The file holding `key`'s record.
    pub fn path_for(&self, key: &str) -> Result<PathBuf, StoreError> {
        let name = format::file_name(key, |bytes| self.keystore.sha256(bytes))?;
        Ok(self.directory.join(name))
    }
}

/// `context.getNoBackupFilesDir()` joined with `subdirectory` (one plain
/// path component). Clears any Java exception it causes.
pub fn no_backup_directory(
    env: &mut Env,
    context: &JObject,
    subdirectory: &str,
) -> Result<PathBuf, StoreError> {
    let mut components = Path::new(subdirectory).components();
    if !matches!(
        (components.next(), components.next()),
        (Some(Component::Normal(_)), None)
    ) {
        return Err(StoreError::Other(
            "the store subdirectory must be one plain path component".into(),
        ));
    }
    Ok(jvm::no_backup_files_dir(env, context)?.join(subdirectory))
}

impl BasicStore for AndroidKeystoreStore {
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path_for(key)?;
        let bytes = format::read(&path)?;
        let record = Record::decode(&bytes)?;
        let plaintext = self.keystore.decrypt(
            &format::associated_data(key),
            &record.iv,
            &record.ciphertext,
        )?;
        Ok(plaintext.to_vec())
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        let path = self.path_for(key)?;
        let (iv, ciphertext) = self
            .keystore
            .encrypt(&format::associated_data(key), value)?;
        let bytes = Record { iv, ciphertext }.encode()?;
        format::write_atomically(&self.directory, &path, &bytes)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = self.path_for(key)?;
        format::remove(&self.directory, &path)
    }
}

impl fmt::Debug for AndroidKeystoreStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AndroidKeystoreStore")
            .field("directory", &self.directory)
            .field("key_alias", &self.keystore.alias())
            .finish_non_exhaustive()
    }
}
