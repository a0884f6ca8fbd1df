//! Apple Keychain backend: one generic-password item per key.
//!
//! Items are identified by service (from [`KeychainConfig`]) + account (the
//! store key), and written with
//!
//! - `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`: readable by a
//!   background refresh once the device has been unlocked since boot, never
//!   in a backup, never moved to another device;
//! - `kSecAttrSynchronizable = false`: never in iCloud Keychain;
//! - `kSecAttrAccessGroup` only when configured (shared with app extensions);
//! - `kSecUseDataProtectionKeychain = true`: on macOS the iOS-style keychain
//!   rather than the legacy file keychain (on iOS it is the only one). On macOS
//!   this needs a signed binary with a keychain-access-groups (or
//!   application-identifier) entitlement, else every call fails with
//!   errSecMissingEntitlement (-34018), reported as [`StoreError::Other`].
//!
//! Almost all of this module is plain Rust and compiles (and is tested) on
//! every host: [`ItemQuery`] says which attributes each call carries,
//! [`KeychainStore`] holds the logic (add, on duplicate update; not-found
//! mapping) and [`store_error`] maps every status. The Security.framework
//! calls are only `SystemKeychain`, which exists on Apple targets only: on
//! other hosts there is no `KeychainStore::system` constructor at all (a
//! compile error rather than a store that fails at run time).
//!
//! Status mapping (see [`store_error`]):
//!
//! | status | meaning | error |
//! |---|---|---|
//! | -25300 errSecItemNotFound | nothing stored | `NotFound` (`delete`: success) |
//! | -25299 errSecDuplicateItem (add) | item exists | update it instead |
//! | -25308 errSecInteractionNotAllowed | device locked / not unlocked since boot | `Unavailable` |
//! | -25293 errSecAuthFailed, -128 errSecUserCanceled | authentication failed or was cancelled | `Unavailable` |
//! | -26275 errSecDecode, unreadable result | the item cannot be decoded | `Corrupt` |
//! | -34018 errSecMissingEntitlement | the binary lacks a keychain entitlement | `Other` |
//! | anything else | | `Other`, with the numeric status |
//!
//! Authentication failures and cancellations are `Unavailable`, not `Other`:
//! the item is not known to be gone and a later attempt may succeed, so the
//! engine must keep the session (a cancelled prompt is not a logout). Our
//! items carry no user-presence access control, so these should not occur
//! for them; the mapping is the safe reading if they do. Messages carry the
//! operation and the numeric status, never the stored data.
//!
//! `compare_and_set` comes from wrapping the store in
//! [`Serialized`](super::Serialized): atomic against writes through that
//! object only. An app extension sharing the access group writes through its
//! own process and is not serialized against the app.

#[doc(hidden)]
pub mod fake;
#[cfg(target_vendor = "apple")]
mod system;
#[cfg(test)]
mod tests;

#[cfg(target_vendor = "apple")]
pub use system::SystemKeychain;

use super::{BasicStore, StoreError};

/// An Apple `OSStatus`.
pub type OSStatus = i32;

/// The statuses this backend tells apart (values from `SecBase.h`).
pub mod status {
    use super::OSStatus;

    pub const SUCCESS: OSStatus = 0;
    pub const USER_CANCELED: OSStatus = -128;
    pub const PARAM: OSStatus = -50;
    pub const AUTH_FAILED: OSStatus = -25293;
    pub const DUPLICATE_ITEM: OSStatus = -25299;
    pub const ITEM_NOT_FOUND: OSStatus = -25300;
    pub const INTERACTION_NOT_ALLOWED: OSStatus = -25308;
    pub const DECODE: OSStatus = -26275;
    pub const MISSING_ENTITLEMENT: OSStatus = -34018;
}

/// Where the items live: the Keychain service, and the access group when the
/// app shares its session with extensions (`"TEAMID.com.example.shared"`;
/// `None` uses the app's default group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeychainConfig {
    pub service: String,
    pub access_group: Option<String>,
}

impl KeychainConfig {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            access_group: None,
        }
    }

    #[must_use]
    pub fn with_access_group(mut self, access_group: impl Into<String>) -> Self {
        self.access_group = Some(access_group.into());
        self
    }
}

/// `kSecClass`. Only generic passwords are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemClass {
    GenericPassword,
}

/// `kSecAttrAccessible`. Only the one this backend writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Accessibility {
    /// `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`.
    AfterFirstUnlockThisDeviceOnly,
}

/// One entry of a Security.framework query or attribute dictionary, in plain
/// Rust. The item's data (`kSecValueData`) is never one of these: it is a
/// separate argument, so queries can be logged and recorded safely.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Attribute {
    /// `kSecClass`.
    Class(ItemClass),
    /// `kSecAttrService`.
    Service(String),
    /// `kSecAttrAccount`.
    Account(String),
    /// `kSecAttrAccessGroup`.
    AccessGroup(String),
    /// `kSecAttrSynchronizable`.
    Synchronizable(bool),
    /// `kSecAttrAccessible`.
    Accessible(Accessibility),
    /// `kSecUseDataProtectionKeychain`.
    UseDataProtectionKeychain(bool),
    /// `kSecReturnData`.
    ReturnData(bool),
}

/// One item, described in plain Rust: which attributes identify it and
/// which each call carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemQuery {
    pub class: ItemClass,
    pub service: String,
    pub account: String,
    pub access_group: Option<String>,
    /// Written on add and update; never a search criterion, so an item
    /// written with another accessibility (by an older version) is still
    /// found, and the next write moves it to this one.
    pub accessibility: Accessibility,
    pub synchronizable: bool,
    pub data_protection_keychain: bool,
}

impl ItemQuery {
    /// The item for `key` under `config`, with this backend's fixed choices.
    pub fn new(config: &KeychainConfig, key: &str) -> Self {
        Self {
            class: ItemClass::GenericPassword,
            service: config.service.clone(),
            account: key.to_owned(),
            access_group: config.access_group.clone(),
            accessibility: Accessibility::AfterFirstUnlockThisDeviceOnly,
            synchronizable: false,
            data_protection_keychain: true,
        }
    }

    /// What identifies the item: the search part of every call.
    pub fn search_attributes(&self) -> Vec<Attribute> {
        let mut attributes = vec![
            Attribute::Class(self.class),
            Attribute::Service(self.service.clone()),
            Attribute::Account(self.account.clone()),
        ];
        if let Some(group) = &self.access_group {
            attributes.push(Attribute::AccessGroup(group.clone()));
        }
        attributes.push(Attribute::Synchronizable(self.synchronizable));
        if self.data_protection_keychain {
            attributes.push(Attribute::UseDataProtectionKeychain(true));
        }
        attributes
    }

    /// `SecItemAdd`'s attributes (the data goes alongside).
    pub fn add_attributes(&self) -> Vec<Attribute> {
        let mut attributes = self.search_attributes();
        attributes.push(Attribute::Accessible(self.accessibility));
        attributes
    }

    /// `SecItemUpdate`'s attributes to change (the data goes alongside).
    pub fn update_attributes(&self) -> Vec<Attribute> {
        vec![Attribute::Accessible(self.accessibility)]
    }

    /// `SecItemCopyMatching`'s query: one item (the default limit), its data.
    pub fn copy_attributes(&self) -> Vec<Attribute> {
        let mut attributes = self.search_attributes();
        attributes.push(Attribute::ReturnData(true));
        attributes
    }
}

/// The Keychain primitives, one per `SecItem*` call. Implemented by
/// `SystemKeychain` on Apple targets and by an in-memory fake in tests.
/// Each returns the raw status on failure; [`KeychainStore`] interprets it.
pub trait KeychainApi: Send + Sync {
    /// `SecItemAdd(query.add_attributes() + data)`; `DUPLICATE_ITEM` if it exists.
    fn add(&self, query: &ItemQuery, data: &[u8]) -> Result<(), OSStatus>;
    /// `SecItemUpdate(query.search_attributes(), query.update_attributes() + data)`;
    /// `ITEM_NOT_FOUND` if missing.
    fn update(&self, query: &ItemQuery, data: &[u8]) -> Result<(), OSStatus>;
    /// `SecItemCopyMatching(query.copy_attributes())`: the item's data.
    fn copy_matching(&self, query: &ItemQuery) -> Result<Vec<u8>, OSStatus>;
    /// `SecItemDelete(query.search_attributes())`; `ITEM_NOT_FOUND` if missing.
    fn delete(&self, query: &ItemQuery) -> Result<(), OSStatus>;
}

/// The Keychain call that failed, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Add,
    Update,
    CopyMatching,
    Delete,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::Add => "SecItemAdd",
            Operation::Update => "SecItemUpdate",
            Operation::CopyMatching => "SecItemCopyMatching",
            Operation::Delete => "SecItemDelete",
        }
    }
}

/// Every status → [`StoreError`] decision, in one place (table in the module
/// docs). `DUPLICATE_ITEM` reaches here only when it cannot be resolved.
pub fn store_error(operation: Operation, status: OSStatus) -> StoreError {
    let call = operation.name();
    match status {
        status::ITEM_NOT_FOUND => StoreError::NotFound,
        status::INTERACTION_NOT_ALLOWED => StoreError::Unavailable(format!(
            "{call}: errSecInteractionNotAllowed ({status}): the device is locked \
             or has not been unlocked since it started; try again later"
        )),
        status::AUTH_FAILED => StoreError::Unavailable(format!(
            "{call}: errSecAuthFailed ({status}); try again later"
        )),
        status::USER_CANCELED => StoreError::Unavailable(format!(
            "{call}: errSecUserCanceled ({status}): authentication was cancelled"
        )),
        status::DECODE => StoreError::Corrupt(format!(
            "{call}: errSecDecode ({status}): the item cannot be decoded"
        )),
        status::MISSING_ENTITLEMENT => StoreError::Other(format!(
            "{call}: errSecMissingEntitlement ({status}): the app is not signed \
             with a keychain-access-groups entitlement for this access group"
        )),
        status::DUPLICATE_ITEM => StoreError::Other(format!(
            "{call}: errSecDuplicateItem ({status}): the item kept changing under us"
        )),
        other => StoreError::Other(format!("{call} failed with OSStatus {other}")),
    }
}

/// The Keychain as a [`BasicStore`]; wrap it in
/// [`Serialized`](super::Serialized) for a `SecureStore`.
pub struct KeychainStore<A> {
    api: A,
    config: KeychainConfig,
}

/// How often `set` goes round add → duplicate → update → not found (another
/// process deleting the item in between) before giving up.
const SET_ATTEMPTS: usize = 3;

impl<A: KeychainApi> KeychainStore<A> {
    /// A store over any [`KeychainApi`]; on Apple targets
    /// `KeychainStore::system` is the real one.
    pub fn with_api(api: A, config: KeychainConfig) -> Self {
        Self { api, config }
    }

    pub fn api(&self) -> &A {
        &self.api
    }

    pub fn config(&self) -> &KeychainConfig {
        &self.config
    }

    fn query(&self, key: &str) -> ItemQuery {
        ItemQuery::new(&self.config, key)
    }
}

#[cfg(target_vendor = "apple")]
impl KeychainStore<SystemKeychain> {
    /// The device Keychain (Security.framework). Exists on Apple targets only.
    pub fn system(config: KeychainConfig) -> Self {
        Self::with_api(SystemKeychain, config)
    }
}

impl<A: KeychainApi> BasicStore for KeychainStore<A> {
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        self.api
            .copy_matching(&self.query(key))
            .map_err(|status| store_error(Operation::CopyMatching, status))
    }

    /// Add; if the item exists, update it in place (one atomic
    /// `SecItemUpdate`: readers see the old value or the new one).
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        let query = self.query(key);
        for _ in 0..SET_ATTEMPTS {
            match self.api.add(&query, value) {
                Ok(()) => return Ok(()),
                Err(status::DUPLICATE_ITEM) => {}
                Err(status) => return Err(store_error(Operation::Add, status)),
            }
            match self.api.update(&query, value) {
                Ok(()) => return Ok(()),
                // Deleted between our add and update: add again.
                Err(status::ITEM_NOT_FOUND) => {}
                Err(status) => return Err(store_error(Operation::Update, status)),
            }
        }
        Err(store_error(Operation::Add, status::DUPLICATE_ITEM))
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.api.delete(&self.query(key)) {
            Ok(()) | Err(status::ITEM_NOT_FOUND) => Ok(()),
            Err(status) => Err(store_error(Operation::Delete, status)),
        }
    }
}
