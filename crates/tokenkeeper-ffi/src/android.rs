//! Android: the init call Kotlin makes once (`TokenKeeperAndroid.init(context)`), and the
//! Keystore-backed store it enables.
//!
//! JNA loads this library with `dlopen`, so `JNI_OnLoad` never runs: Kotlin also loads it
//! with `System.loadLibrary` and calls `nativeInit`, which hands over the JavaVM and the
//! application Context. Compiled on every host (the Keystore code is tested in a host
//! JVM); only the TLS verifier's init is Android-only.

use std::sync::{Arc, OnceLock};

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JClass, JObject};
use jni::{Env, EnvUnowned};
use tokenkeeper::store::android_keystore::{AndroidKeystoreStore, DEFAULT_KEY_ALIAS};
use tokenkeeper::store::{BasicStore, StoreError};

use crate::error::{SecureStoreError, TokenkeeperError};
use crate::foreign::SecureStore;

/// The Keystore store, made by the first successful `nativeInit`.
static KEYSTORE_STORE: OnceLock<Arc<KeystoreStore>> = OnceLock::new();

/// Why `nativeInit` failed; thrown to Kotlin as a `RuntimeException` with this text.
#[derive(Debug, thiserror::Error)]
enum InitError {
    #[error("tokenkeeper init failed: {0}")]
    Jni(#[from] jni::errors::Error),
    #[error("tokenkeeper init failed: {0}")]
    Store(#[from] StoreError),
}

/// `dev.tokenkeeper.android.TokenKeeperAndroid.nativeInit(context)`. Idempotent.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_tokenkeeper_android_TokenKeeperAndroid_nativeInit<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    context: JObject<'local>,
) {
    env.with_env(|env| init(env, &context))
        .resolve::<ThrowRuntimeExAndDefault>()
}

fn init(env: &mut Env<'_>, context: &JObject<'_>) -> Result<(), InitError> {
    #[cfg(target_os = "android")]
    init_tls_verifier(env, context)?;
    if KEYSTORE_STORE.get().is_none() {
        let store = AndroidKeystoreStore::from_context(env, context, DEFAULT_KEY_ALIAS)?;
        // A racing init made an equal store; either one will do.
        let _ = KEYSTORE_STORE.set(Arc::new(KeystoreStore(store)));
    }
    Ok(())
}

/// The built-in HTTPS client checks certificates with Android's own verifier (user CAs,
/// pinning config), which needs the Context and its Kotlin component.
#[cfg(all(target_os = "android", feature = "builtin-transport"))]
fn init_tls_verifier(env: &mut Env<'_>, context: &JObject<'_>) -> Result<(), InitError> {
    let context = env.new_local_ref(context)?;
    rustls_platform_verifier::android::init_with_env(env, context)?;
    Ok(())
}

#[cfg(all(target_os = "android", not(feature = "builtin-transport")))]
fn init_tls_verifier(_env: &mut Env<'_>, _context: &JObject<'_>) -> Result<(), InitError> {
    Ok(())
}

/// Secure storage in the Android Keystore (AES-256-GCM, files in `noBackupFilesDir`).
/// Call `TokenKeeperAndroid.init(context)` first.
#[uniffi::export]
pub fn android_keystore_store() -> Result<Arc<dyn SecureStore>, TokenkeeperError> {
    match KEYSTORE_STORE.get() {
        Some(store) => Ok(store.clone()),
        None => Err(TokenkeeperError::Config {
            detail: "call TokenKeeperAndroid.init(context) before using the Android Keystore"
                .to_owned(),
        }),
    }
}

/// The Keystore store seen through the foreign-store interface `AuthClient::new` takes.
struct KeystoreStore(AndroidKeystoreStore);

impl SecureStore for KeystoreStore {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, SecureStoreError> {
        match self.0.get(&key) {
            Ok(value) => Ok(Some(value)),
            Err(StoreError::NotFound) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    fn set(&self, key: String, value: Vec<u8>) -> Result<(), SecureStoreError> {
        Ok(self.0.set(&key, &value)?)
    }

    fn delete(&self, key: String) -> Result<(), SecureStoreError> {
        Ok(self.0.delete(&key)?)
    }
}
