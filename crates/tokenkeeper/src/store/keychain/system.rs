//! The Security.framework calls (Apple targets only). Everything else —
//! which attributes each call carries, what each status means — is decided in
//! plain Rust in the parent module; this layer only turns an [`Attribute`]
//! list into a `CFDictionary` and makes the `SecItem*` call.

use core_foundation::base::{CFType, CFTypeRef, TCFType};
use core_foundation::boolean::CFBoolean;
use core_foundation::data::CFData;
use core_foundation::dictionary::CFDictionary;
use core_foundation::string::{CFString, CFStringRef};
use security_framework_sys::access_control::kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly;
use security_framework_sys::item::{
    kSecAttrAccessGroup, kSecAttrAccount, kSecAttrService, kSecAttrSynchronizable, kSecClass,
    kSecClassGenericPassword, kSecReturnData, kSecValueData,
};
use security_framework_sys::keychain_item::{
    SecItemAdd, SecItemCopyMatching, SecItemDelete, SecItemUpdate,
};

use super::{Accessibility, Attribute, ItemClass, ItemQuery, KeychainApi, OSStatus, status};

// Not declared by security-framework-sys 2.17 (kSecAttrAccessible), or only
// behind its macOS 10.15 feature (kSecUseDataProtectionKeychain, macOS 10.15+,
// iOS 13+). Both are constants of Security.framework.
#[link(name = "Security", kind = "framework")]
unsafe extern "C" {
    static kSecAttrAccessible: CFStringRef;
    static kSecUseDataProtectionKeychain: CFStringRef;
}

/// The device Keychain, through `SecItemAdd`/`Update`/`CopyMatching`/`Delete`.
/// Stateless; the calls are thread-safe.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemKeychain;

/// A `kSec*` constant as a `CFString` (retained, not owned by the framework).
fn constant(value: CFStringRef) -> CFString {
    // SAFETY: the kSec* constants are valid, immortal CFStrings.
    unsafe { CFString::wrap_under_get_rule(value) }
}

fn pair(attribute: &Attribute) -> (CFString, CFType) {
    // SAFETY (every `unsafe` below): reading an immutable extern constant.
    match attribute {
        Attribute::Class(ItemClass::GenericPassword) => (
            constant(unsafe { kSecClass }),
            constant(unsafe { kSecClassGenericPassword }).into_CFType(),
        ),
        Attribute::Service(service) => (
            constant(unsafe { kSecAttrService }),
            CFString::new(service).into_CFType(),
        ),
        Attribute::Account(account) => (
            constant(unsafe { kSecAttrAccount }),
            CFString::new(account).into_CFType(),
        ),
        Attribute::AccessGroup(group) => (
            constant(unsafe { kSecAttrAccessGroup }),
            CFString::new(group).into_CFType(),
        ),
        Attribute::Synchronizable(synchronizable) => (
            constant(unsafe { kSecAttrSynchronizable }),
            CFBoolean::from(*synchronizable).into_CFType(),
        ),
        Attribute::Accessible(Accessibility::AfterFirstUnlockThisDeviceOnly) => (
            constant(unsafe { kSecAttrAccessible }),
            constant(unsafe { kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly }).into_CFType(),
        ),
        Attribute::UseDataProtectionKeychain(on) => (
            constant(unsafe { kSecUseDataProtectionKeychain }),
            CFBoolean::from(*on).into_CFType(),
        ),
        Attribute::ReturnData(on) => (
            constant(unsafe { kSecReturnData }),
            CFBoolean::from(*on).into_CFType(),
        ),
    }
}

/// The dictionary for `attributes`, plus `kSecValueData` when given.
fn dictionary(attributes: &[Attribute], data: Option<&[u8]>) -> CFDictionary<CFString, CFType> {
    let mut pairs: Vec<(CFString, CFType)> = attributes.iter().map(pair).collect();
    if let Some(data) = data {
        pairs.push((
            constant(unsafe { kSecValueData }),
            CFData::from_buffer(data).into_CFType(),
        ));
    }
    CFDictionary::from_CFType_pairs(&pairs)
}

fn check(code: OSStatus) -> Result<(), OSStatus> {
    if code == status::SUCCESS {
        Ok(())
    } else {
        Err(code)
    }
}

impl KeychainApi for SystemKeychain {
    fn add(&self, query: &ItemQuery, data: &[u8]) -> Result<(), OSStatus> {
        let attributes = dictionary(&query.add_attributes(), Some(data));
        // SAFETY: a valid dictionary; a null result pointer asks for no result.
        check(unsafe { SecItemAdd(attributes.as_concrete_TypeRef(), std::ptr::null_mut()) })
    }

    fn update(&self, query: &ItemQuery, data: &[u8]) -> Result<(), OSStatus> {
        let search = dictionary(&query.search_attributes(), None);
        let changes = dictionary(&query.update_attributes(), Some(data));
        // SAFETY: two valid dictionaries.
        check(unsafe { SecItemUpdate(search.as_concrete_TypeRef(), changes.as_concrete_TypeRef()) })
    }

    fn copy_matching(&self, query: &ItemQuery) -> Result<Vec<u8>, OSStatus> {
        let search = dictionary(&query.copy_attributes(), None);
        let mut result: CFTypeRef = std::ptr::null();
        // SAFETY: a valid dictionary and out-pointer; on success `result`
        // holds a +1 reference (the Create rule), released by `CFType`'s drop.
        let code = unsafe { SecItemCopyMatching(search.as_concrete_TypeRef(), &mut result) };
        let result = (!result.is_null()).then(|| unsafe { CFType::wrap_under_create_rule(result) });
        check(code)?;
        // One item with kSecReturnData and the default limit (one): a CFData.
        // Anything else cannot be read as our value.
        result
            .and_then(|value| value.downcast_into::<CFData>())
            .map(|data| data.bytes().to_vec())
            .ok_or(status::DECODE)
    }

    fn delete(&self, query: &ItemQuery) -> Result<(), OSStatus> {
        let search = dictionary(&query.search_attributes(), None);
        // SAFETY: a valid dictionary.
        check(unsafe { SecItemDelete(search.as_concrete_TypeRef()) })
    }
}
