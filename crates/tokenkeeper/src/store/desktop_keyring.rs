//! Desktop keyrings through [`keyring_core`], with the platform store picked
//! explicitly per OS at compile time (never a mock store):
//!
//! | OS | store crate | where the bytes live |
//! | --- | --- | --- |
//! | macOS | `apple-native-keyring-store` (`keychain` module) | the user's login keychain |
//! | Windows | `windows-native-keyring-store` | Credential Manager, `CRED_PERSIST_LOCAL_MACHINE` |
//! | Linux, FreeBSD | `zbus-secret-service-keyring-store` | the Secret Service's default collection |
//!
//! On any other OS [`DesktopKeyring::new`] returns [`StoreError::Other`]:
//! there is nothing to store into, and pretending otherwise (an in-memory
//! stand-in) would log users out on every restart.
//!
//! Each value is one keyring item: service = the configured service name
//! (an app id such as `com.example.app`), account/user = the store key.
//! Values are stored as raw bytes through keyring-core's secret API.
//!
//! Atomicity: [`DesktopKeyring::open`] returns the backend wrapped in
//! [`Serialized`], so `compare_and_set` is atomic against every write through
//! that one store object. Keyrings offer no compare-and-swap, so two
//! *processes* writing the same key can still interleave; run one SDK
//! client per app process.
//!
//! Blocking: keyring calls are synchronous. On Linux the Secret Service client
//! drives D-Bus with its own tokio runtime and `block_on`, which panics when
//! called from a thread that is already inside a tokio runtime. Every call
//! made from inside a runtime therefore runs on a short-lived helper thread,
//! so the store can be called from async code and from plain threads alike.
//!
//! See `docs/storage-desktop.md` for backup, reinstall and locked-keyring
//! behaviour per OS.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use keyring_core::{CredentialStore, Entry, Error as KeyringError};

use super::{BasicStore, Serialized, StoreError};

/// The backend over one OS keyring: plain get/set/delete. Use it as
/// `Serialized<DesktopKeyring>` (see [`DesktopKeyring::open`]) to get a
/// [`SecureStore`](super::SecureStore).
pub struct DesktopKeyring {
    service: String,
    /// The platform store, or `None` after a platform failure: the next call
    /// connects again (the Secret Service daemon may have restarted).
    store: Mutex<Option<Arc<CredentialStore>>>,
}

/// The desktop keyring as a [`SecureStore`](super::SecureStore).
pub type DesktopKeyringStore = Serialized<DesktopKeyring>;

impl DesktopKeyring {
    /// The keyring store for `service` (use the app id), ready to hand to the
    /// SDK. Fails with `Unavailable` when the platform keyring cannot be
    /// reached right now (no Secret Service on the session bus, no D-Bus
    /// session), with `Other` when this OS has no keyring store compiled in.
    pub fn open(service: &str) -> Result<DesktopKeyringStore, StoreError> {
        Self::new(service).map(Serialized::new)
    }

    /// The bare backend; see [`DesktopKeyring::open`].
    pub fn new(service: &str) -> Result<Self, StoreError> {
        if service.is_empty() {
            return Err(StoreError::Other(
                "the keyring service name must not be empty".into(),
            ));
        }
        let store = off_runtime(platform::connect).map_err(map_error)?;
        Ok(Self {
            service: service.to_owned(),
            store: Mutex::new(Some(store)),
        })
    }

    /// The service name items are filed under.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Which platform store this build uses (for diagnostics).
    pub fn platform_store() -> &'static str {
        platform::NAME
    }

    fn slot(&self) -> MutexGuard<'_, Option<Arc<CredentialStore>>> {
        // Holds only a cached connection: after a panic elsewhere it is still valid.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `op` on the entry for `key`, off any tokio runtime, connecting
    /// first if an earlier platform failure dropped the connection.
    ///
    /// Everything that holds the D-Bus connection is also dropped inside the
    /// closure: dropping the Secret Service client blocks on D-Bus too.
    fn with_entry<T: Send>(
        &self,
        key: &str,
        op: impl Fn(&Entry) -> keyring_core::Result<T> + Send + Sync,
    ) -> Result<T, StoreError> {
        off_runtime(|| {
            let cached = self.slot().clone();
            let store = match cached {
                Some(store) => store,
                None => platform::connect().map_err(map_error)?,
            };
            let result = store
                .build(&self.service, key, platform::modifiers().as_ref())
                .and_then(|entry| op(&entry));
            let stale = {
                let mut slot = self.slot();
                if matches!(result, Err(KeyringError::PlatformFailure(_))) {
                    // Maybe a dead connection: make the next call start afresh.
                    slot.take()
                } else {
                    slot.get_or_insert_with(|| Arc::clone(&store));
                    None
                }
            };
            drop(stale);
            drop(store);
            result.map_err(map_error)
        })
    }
}

impl Drop for DesktopKeyring {
    fn drop(&mut self) {
        let store = self
            .store
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if store.is_some() {
            off_runtime(move || drop(store));
        }
    }
}

impl fmt::Debug for DesktopKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DesktopKeyring")
            .field("platform_store", &platform::NAME)
            .field("service", &self.service)
            .field("connected", &self.slot().is_some())
            .finish()
    }
}

impl BasicStore for DesktopKeyring {
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        self.with_entry(key, |entry| match entry.get_secret() {
            // One retry: a concurrent delete can remove the item between the
            // store's search and its read, which surfaces as a platform
            // failure. (Not on NoStorageAccess: that would prompt twice.)
            Err(KeyringError::PlatformFailure(_)) => entry.get_secret(),
            other => other,
        })
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.with_entry(key, |entry| match entry.set_secret(value) {
            // Duplicates left by another program: replace them all with one.
            Err(KeyringError::Ambiguous(duplicates)) => {
                for duplicate in duplicates {
                    duplicate.delete_credential()?;
                }
                entry.set_secret(value)
            }
            other => other,
        })
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.with_entry(key, |entry| match entry.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(KeyringError::Ambiguous(duplicates)) => {
                for duplicate in duplicates {
                    match duplicate.delete_credential() {
                        Ok(()) | Err(KeyringError::NoEntry) => {}
                        Err(error) => return Err(error),
                    }
                }
                Ok(())
            }
            Err(error) => Err(error),
        })
    }
}

/// Runs `f` here, or on a helper thread when this thread is inside a tokio
/// runtime (where the Secret Service client's own `block_on` would panic, and
/// where blocking a worker would stall other tasks anyway).
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|scope| match scope.spawn(f).join() {
        Ok(value) => value,
        // A panic inside the platform crate: let it continue on this thread.
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// keyring-core's errors in the SDK's terms. Never includes secret bytes:
/// `BadEncoding` and `BadDataFormat` carry the raw value, which is dropped.
pub(crate) fn map_error(error: KeyringError) -> StoreError {
    match error {
        KeyringError::NoEntry => StoreError::NotFound,
        // Locked collection, dismissed unlock prompt, no access rights.
        KeyringError::NoStorageAccess(cause) => {
            StoreError::Unavailable(format!("the keyring is locked or not accessible: {cause}"))
        }
        // No D-Bus session, no Secret Service daemon, a dropped connection.
        KeyringError::PlatformFailure(cause) => {
            StoreError::Unavailable(format!("the keyring could not be reached: {cause}"))
        }
        KeyringError::NoDefaultStore => {
            StoreError::Unavailable("no keyring store is available".into())
        }
        KeyringError::BadEncoding(_) => {
            StoreError::Corrupt("the keyring returned data in an unexpected encoding".into())
        }
        KeyringError::BadDataFormat(_, _) => {
            StoreError::Corrupt("the keyring item's data is malformed".into())
        }
        KeyringError::BadStoreFormat(reason) => {
            StoreError::Corrupt(format!("the keyring itself is malformed: {reason}"))
        }
        KeyringError::Ambiguous(items) => StoreError::Corrupt(format!(
            "{} keyring items match this key (duplicates made by another program)",
            items.len()
        )),
        KeyringError::TooLong(attribute, limit) => StoreError::Other(format!(
            "'{attribute}' is longer than this keyring's limit of {limit}"
        )),
        KeyringError::Invalid(attribute, reason) => {
            StoreError::Other(format!("invalid '{attribute}' for the keyring: {reason}"))
        }
        KeyringError::NotSupportedByStore(reason) => {
            StoreError::Other(format!("not supported by this keyring: {reason}"))
        }
        other => StoreError::Other(format!("keyring error: {other}")),
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use super::*;

    pub(super) const NAME: &str = "macOS login keychain (apple-native-keyring-store)";

    pub(super) fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
        Ok(store)
    }

    pub(super) fn modifiers() -> Option<HashMap<&'static str, &'static str>> {
        None
    }
}

#[cfg(target_os = "windows")]
mod platform {
    use super::*;

    pub(super) const NAME: &str = "Windows Credential Manager (windows-native-keyring-store)";

    pub(super) fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
        Ok(store)
    }

    /// Local persistence: tokens stay on this machine instead of roaming
    /// with a domain profile (the store's default is `Enterprise`).
    pub(super) fn modifiers() -> Option<HashMap<&'static str, &'static str>> {
        Some(HashMap::from([("persistence", "Local")]))
    }
}

#[cfg(any(target_os = "linux", target_os = "freebsd"))]
mod platform {
    use super::*;

    pub(super) const NAME: &str = "Secret Service (zbus-secret-service-keyring-store)";

    pub(super) fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new()?;
        Ok(store)
    }

    /// The default collection (the user's login keyring), default label.
    pub(super) fn modifiers() -> Option<HashMap<&'static str, &'static str>> {
        None
    }
}

#[cfg(not(any(
    target_os = "macos",
    target_os = "windows",
    target_os = "linux",
    target_os = "freebsd"
)))]
mod platform {
    use super::*;

    pub(super) const NAME: &str = "none";

    pub(super) fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
        Err(KeyringError::NotSupportedByStore(
            "the desktop-keyring backend has no keyring store for this OS \
             (it supports macOS, Windows, Linux and FreeBSD)"
                .into(),
        ))
    }

    pub(super) fn modifiers() -> Option<HashMap<&'static str, &'static str>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"eyJhbGciOiJFUzI1NiJ9.secret-refresh-token";

    #[derive(Debug)]
    struct Cause(&'static str);

    impl fmt::Display for Cause {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Cause {}

    fn cause(text: &'static str) -> Box<dyn std::error::Error + Send + Sync> {
        Box::new(Cause(text))
    }

    #[test]
    fn no_entry_is_not_found() {
        assert_eq!(map_error(KeyringError::NoEntry), StoreError::NotFound);
    }

    #[test]
    fn locked_or_unreachable_keyrings_are_unavailable_not_empty() {
        for error in [
            KeyringError::NoStorageAccess(cause("collection is locked")),
            KeyringError::PlatformFailure(cause(
                "org.freedesktop.DBus.Error.ServiceUnknown: no org.freedesktop.secrets",
            )),
            KeyringError::NoDefaultStore,
        ] {
            let mapped = map_error(error);
            assert!(matches!(mapped, StoreError::Unavailable(_)), "{mapped:?}");
        }
        let StoreError::Unavailable(message) =
            map_error(KeyringError::NoStorageAccess(cause("collection is locked")))
        else {
            unreachable!()
        };
        assert!(message.contains("collection is locked"), "{message}");
    }

    #[test]
    fn bad_data_is_corrupt_and_never_echoes_the_bytes() {
        for error in [
            KeyringError::BadEncoding(SECRET.to_vec()),
            KeyringError::BadDataFormat(SECRET.to_vec(), cause("bad padding")),
            KeyringError::BadStoreFormat("unreadable keychain".into()),
            KeyringError::Ambiguous(Vec::new()),
        ] {
            let mapped = map_error(error);
            assert!(matches!(mapped, StoreError::Corrupt(_)), "{mapped:?}");
            for text in [format!("{mapped}"), format!("{mapped:?}")] {
                assert!(!text.contains("secret-refresh-token"), "{text}");
                assert!(!text.contains(&format!("{:?}", SECRET.to_vec())), "{text}");
            }
        }
    }

    #[test]
    fn everything_else_is_other() {
        for error in [
            KeyringError::TooLong("secret".into(), 2560),
            KeyringError::Invalid("user".into(), "empty".into()),
            KeyringError::NotSupportedByStore("search".into()),
        ] {
            let mapped = map_error(error);
            assert!(matches!(mapped, StoreError::Other(_)), "{mapped:?}");
        }
    }

    #[test]
    fn an_empty_service_name_is_refused_before_touching_the_keyring() {
        assert!(matches!(DesktopKeyring::new(""), Err(StoreError::Other(_))));
    }

    #[test]
    fn off_runtime_runs_inline_or_on_a_helper_thread() {
        let here = std::thread::current().id();
        assert_eq!(off_runtime(|| std::thread::current().id()), here);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let inside = runtime.block_on(async { off_runtime(|| std::thread::current().id()) });
        assert_ne!(
            inside, here,
            "inside a runtime the call moves off the thread"
        );
    }

    #[test]
    fn off_runtime_passes_panics_on() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let caught = runtime.block_on(async {
            std::panic::catch_unwind(|| off_runtime(|| panic!("inside the platform crate")))
        });
        assert!(caught.is_err());
    }
}
