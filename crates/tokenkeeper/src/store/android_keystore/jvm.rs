//! The JNI half: AndroidKeyStore key management and AES-GCM through
//! `javax.crypto.Cipher`, with every Java exception caught, cleared and
//! turned into a [`Fault`] that carries only exception class names (never a
//! message, which could echo data).

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use jni::errors::Error as JniError;
use jni::objects::{JByteArray, JObject, JObjectArray, JString};
use jni::refs::Global;
use jni::{Env, JValue, JavaVM, jni_sig, jni_str};
use zeroize::Zeroizing;

use crate::store::StoreError;

const PROVIDER: &str = "AndroidKeyStore";
const TRANSFORMATION: &str = "AES/GCM/NoPadding";
const KEY_SIZE_BITS: i32 = 256;
const TAG_BITS: i32 = 128;
/// `KeyProperties.PURPOSE_ENCRYPT | KeyProperties.PURPOSE_DECRYPT`.
const PURPOSES: i32 = 1 | 2;
/// `Cipher.ENCRYPT_MODE`, `Cipher.DECRYPT_MODE`.
const ENCRYPT_MODE: i32 = 1;
const DECRYPT_MODE: i32 = 2;
/// How far down `Throwable.getCause()` a classification looks.
const MAX_CAUSES: usize = 4;
/// Local references a single operation creates, at most (a hint to the JVM).
const FRAME_CAPACITY: usize = 32;

const KEY_INVALIDATED: &str = "android.security.keystore.KeyPermanentlyInvalidatedException";
const UNRECOVERABLE_KEY: &str = "java.security.UnrecoverableKeyException";
const BAD_TAG: &str = "javax.crypto.AEADBadTagException";
const STRONG_BOX_UNAVAILABLE: &str = "android.security.keystore.StrongBoxUnavailableException";

/// What went wrong on the Java side.
#[derive(Debug)]
pub(super) enum Fault {
    /// A Java exception is pending: [`settle`] turns it into `Thrown`.
    Pending,
    /// A caught (and cleared) exception: its class name, then its causes'.
    Thrown(Vec<String>),
    /// A method the platform lacks (e.g. StrongBox on API < 28).
    MissingMethod(String),
    /// A JNI-level failure with no Java exception.
    Jni(String),
}

impl From<JniError> for Fault {
    fn from(error: JniError) -> Self {
        match error {
            JniError::JavaException => Fault::Pending,
            // jni's own catch: keep the class name, drop message and stack.
            JniError::CaughtJavaException { name, .. } => Fault::Thrown(vec![name]),
            JniError::MethodNotFound { name, .. } => Fault::MissingMethod(name),
            other => Fault::Jni(other.to_string()),
        }
    }
}

impl Fault {
    fn thrown(&self, class: &str) -> bool {
        matches!(self, Fault::Thrown(classes) if classes.iter().any(|name| name == class))
    }

    fn key_invalidated(&self) -> bool {
        self.thrown(KEY_INVALIDATED) || self.thrown(UNRECOVERABLE_KEY)
    }

    fn strong_box_unavailable(&self) -> bool {
        self.thrown(STRONG_BOX_UNAVAILABLE) || matches!(self, Fault::MissingMethod(_))
    }

    pub(super) fn into_store_error(self) -> StoreError {
        if self.thrown(KEY_INVALIDATED) {
            return StoreError::KeyInvalidated(KEY_INVALIDATED.into());
        }
        if self.thrown(UNRECOVERABLE_KEY) {
            return StoreError::KeyInvalidated(UNRECOVERABLE_KEY.into());
        }
        if self.thrown(BAD_TAG) {
            return StoreError::Corrupt(format!("authentication failed ({BAD_TAG})"));
        }
        match self {
            Fault::Thrown(classes) => {
                StoreError::Other(format!("Java exception {}", classes.join(" caused by ")))
            }
            Fault::Pending => StoreError::Other("unidentified Java exception".into()),
            Fault::MissingMethod(name) => StoreError::Other(format!("Java method missing: {name}")),
            Fault::Jni(message) => StoreError::Other(format!("JNI: {message}")),
        }
    }
}

/// Turns a pending exception into `Fault::Thrown` and clears it; any other
/// fault is returned as is, with any stray pending exception cleared too.
fn settle(env: &mut Env, fault: Fault) -> Fault {
    match fault {
        Fault::Pending => catch(env),
        other => {
            if env.exception_check() {
                env.exception_clear();
            }
            other
        }
    }
}

fn catch(env: &mut Env) -> Fault {
    let Some(throwable) = env.exception_occurred() else {
        return Fault::Pending;
    };
    env.exception_clear();
    let classes = env.with_local_frame(FRAME_CAPACITY, |env| -> Result<Vec<String>, JniError> {
        let mut classes = Vec::new();
        let mut current: JObject = throwable.into();
        while !current.is_null() && classes.len() < MAX_CAUSES {
            let name = env.get_object_class(&current)?.get_name(env)?;
            classes.push(name.try_to_string(env)?);
            current = env
                .call_method(
                    &current,
                    jni_str!("getCause"),
                    jni_sig!("()Ljava/lang/Throwable;"),
                    &[],
                )?
                .l()?;
        }
        Ok(classes)
    });
    if env.exception_check() {
        env.exception_clear();
    }
    match classes {
        Ok(classes) if !classes.is_empty() => Fault::Thrown(classes),
        _ => Fault::Jni("a Java exception whose class could not be read".into()),
    }
}

/// Runs `f` in a fresh local frame (its local references die with it) and
/// leaves no exception pending.
pub(super) fn guarded<T>(
    env: &mut Env,
    f: impl FnOnce(&mut Env) -> Result<T, Fault>,
) -> Result<T, Fault> {
    env.with_local_frame(FRAME_CAPACITY, |env| {
        let result = f(env);
        result.map_err(|fault| settle(env, fault))
    })
    .map_err(|fault| settle(env, fault))
}

/// `context.getNoBackupFilesDir()` as a path.
pub(super) fn no_backup_files_dir(env: &mut Env, context: &JObject) -> Result<PathBuf, StoreError> {
    if context.is_null() {
        return Err(StoreError::Other("the Android Context is null".into()));
    }
    guarded(env, |env| {
        let dir = env
            .call_method(
                context,
                jni_str!("getNoBackupFilesDir"),
                jni_sig!("()Ljava/io/File;"),
                &[],
            )?
            .l()?;
        if dir.is_null() {
            return Err(Fault::Jni("getNoBackupFilesDir() returned null".into()));
        }
        let path = env
            .call_method(
                &dir,
                jni_str!("getAbsolutePath"),
                jni_sig!("()Ljava/lang/String;"),
                &[],
            )?
            .l()?;
        let path = env.cast_local::<JString>(path)?;
        Ok(PathBuf::from(path.try_to_string(env)?))
    })
    .map_err(Fault::into_store_error)
}

/// The AndroidKeyStore key under one alias, and the operations with it.
pub(super) struct Keystore {
    vm: JavaVM,
    alias: String,
    /// The key object once looked up: saves a keystore round trip per call.
    /// Held for the whole of a key change so two writers never both generate.
    key: Mutex<Option<Global<JObject<'static>>>>,
}

impl Keystore {
    pub(super) fn new(vm: JavaVM, alias: &str) -> Self {
        Self {
            vm,
            alias: alias.to_owned(),
            key: Mutex::new(None),
        }
    }

    pub(super) fn alias(&self) -> &str {
        &self.alias
    }

    /// Attaches this thread to the JVM (permanently: cheap on the next call;
    /// a no-op on a JVM thread), runs `f` in its own local frame, and maps
    /// what Java threw.
    fn run<T>(&self, f: impl FnOnce(&mut Env) -> Result<T, Fault>) -> Result<T, StoreError> {
        self.vm
            .attach_current_thread(|env| -> Result<Result<T, Fault>, JniError> {
                Ok(guarded(env, f))
            })
            .map_err(|error| Fault::from(error).into_store_error())?
            .map_err(Fault::into_store_error)
    }

    fn cache(&self) -> MutexGuard<'_, Option<Global<JObject<'static>>>> {
        // The cache is only ever a copy of what the keystore holds.
        self.key
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// SHA-256 through `java.security.MessageDigest` (names of long keys).
    pub(super) fn sha256(&self, bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.run(|env| {
            let algorithm = env.new_string("SHA-256")?;
            let digest = env
                .call_static_method(
                    jni_str!("java/security/MessageDigest"),
                    jni_str!("getInstance"),
                    jni_sig!("(Ljava/lang/String;)Ljava/security/MessageDigest;"),
                    &[JValue::Object(&algorithm)],
                )?
                .l()?;
            let input = env.byte_array_from_slice(bytes)?;
            let output = env
                .call_method(
                    &digest,
                    jni_str!("digest"),
                    jni_sig!("([B)[B"),
                    &[JValue::Object(&input)],
                )?
                .l()?;
            byte_array(env, output)
        })
    }

    /// Decrypts a record. A missing key is `KeyInvalidated`: the file was
    /// written under a key the keystore no longer has.
    pub(super) fn decrypt(
        &self,
        aad: &[u8],
        iv: &[u8],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        let plaintext = self.run(|env| {
            let key = {
                let mut cache = self.cache();
                self.load_key(env, &mut cache)?
            };
            match key {
                Some(key) => decrypt(env, &key, aad, iv, ciphertext).map(Some),
                None => Ok(None),
            }
        })?;
        plaintext.ok_or_else(|| {
            StoreError::KeyInvalidated("no key under the alias in AndroidKeyStore".into())
        })
    }

    /// Encrypts a value, generating the key if there is none and replacing it
    /// if it was permanently invalidated. Returns the keystore-chosen IV and
    /// the ciphertext (with tag).
    pub(super) fn encrypt(
        &self,
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), StoreError> {
        self.run(|env| {
            let mut cache = self.cache();
            let (key, fresh) = match self.load_key(env, &mut cache) {
                Ok(Some(key)) => (key, false),
                Ok(None) => (self.new_key(env, &mut cache)?, true),
                Err(fault) => {
                    let fault = settle(env, fault);
                    if !fault.key_invalidated() {
                        return Err(fault);
                    }
                    (self.replace_key(env, &mut cache)?, true)
                }
            };
            match encrypt(env, &key, aad, plaintext) {
                Err(fault) if !fresh => {
                    let fault = settle(env, fault);
                    if !fault.key_invalidated() {
                        return Err(fault);
                    }
                    let key = self.replace_key(env, &mut cache)?;
                    encrypt(env, &key, aad, plaintext)
                }
                other => other,
            }
        })
    }

    /// The key under the alias (cached after the first look-up), or `None`.
    fn load_key<'local>(
        &self,
        env: &mut Env<'local>,
        cache: &mut Option<Global<JObject<'static>>>,
    ) -> Result<Option<JObject<'local>>, Fault> {
        if let Some(global) = cache.as_ref() {
            return Ok(Some(env.new_local_ref(global.as_obj())?));
        }
        let keystore = android_keystore(env)?;
        let alias = env.new_string(&self.alias)?;
        let key = env
            .call_method(
                &keystore,
                jni_str!("getKey"),
                jni_sig!("(Ljava/lang/String;[C)Ljava/security/Key;"),
                &[JValue::Object(&alias), JValue::Object(&JObject::null())],
            )?
            .l()?;
        if key.is_null() {
            return Ok(None);
        }
        *cache = Some(env.new_global_ref(&key)?);
        Ok(Some(key))
    }

    fn replace_key<'local>(
        &self,
        env: &mut Env<'local>,
        cache: &mut Option<Global<JObject<'static>>>,
    ) -> Result<JObject<'local>, Fault> {
        tracing::warn!(
            alias = %self.alias,
            "AndroidKeyStore key permanently invalidated: deleting it and generating a new one"
        );
        *cache = None;
        let keystore = android_keystore(env)?;
        let alias = env.new_string(&self.alias)?;
        env.call_method(
            &keystore,
            jni_str!("deleteEntry"),
            jni_sig!("(Ljava/lang/String;)V"),
            &[JValue::Object(&alias)],
        )?;
        self.new_key(env, cache)
    }

    /// Generates the AES-256-GCM key, in StrongBox when the device has one.
    fn new_key<'local>(
        &self,
        env: &mut Env<'local>,
        cache: &mut Option<Global<JObject<'static>>>,
    ) -> Result<JObject<'local>, Fault> {
        let key = match generate_key(env, &self.alias, true) {
            Ok(key) => key,
            Err(fault) => {
                let fault = settle(env, fault);
                if !fault.strong_box_unavailable() {
                    return Err(fault);
                }
                tracing::debug!(alias = %self.alias, "no StrongBox: key generated in the TEE keystore");
                generate_key(env, &self.alias, false)?
            }
        };
        *cache = Some(env.new_global_ref(&key)?);
        Ok(key)
    }
}

fn android_keystore<'local>(env: &mut Env<'local>) -> Result<JObject<'local>, Fault> {
    let kind = env.new_string(PROVIDER)?;
    let keystore = env
        .call_static_method(
            jni_str!("java/security/KeyStore"),
            jni_str!("getInstance"),
            jni_sig!("(Ljava/lang/String;)Ljava/security/KeyStore;"),
            &[JValue::Object(&kind)],
        )?
        .l()?;
    env.call_method(
        &keystore,
        jni_str!("load"),
        jni_sig!("(Ljava/security/KeyStore$LoadStoreParameter;)V"),
        &[JValue::Object(&JObject::null())],
    )?;
    Ok(keystore)
}

fn string_array<'local>(
    env: &mut Env<'local>,
    value: &str,
) -> Result<JObjectArray<'local, JString<'local>>, Fault> {
    let element = env.new_string(value)?;
    Ok(JObjectArray::<JString>::new(env, 1, &element)?)
}

fn generate_key<'local>(
    env: &mut Env<'local>,
    alias: &str,
    strong_box: bool,
) -> Result<JObject<'local>, Fault> {
    let alias = env.new_string(alias)?;
    let builder = env.new_object(
        jni_str!("android/security/keystore/KeyGenParameterSpec$Builder"),
        jni_sig!("(Ljava/lang/String;I)V"),
        &[JValue::Object(&alias), JValue::Int(PURPOSES)],
    )?;
    let modes = string_array(env, "GCM")?;
    env.call_method(
        &builder,
        jni_str!("setBlockModes"),
        jni_sig!("([Ljava/lang/String;)Landroid/security/keystore/KeyGenParameterSpec$Builder;"),
        &[JValue::Object(&modes)],
    )?;
    let paddings = string_array(env, "NoPadding")?;
    env.call_method(
        &builder,
        jni_str!("setEncryptionPaddings"),
        jni_sig!("([Ljava/lang/String;)Landroid/security/keystore/KeyGenParameterSpec$Builder;"),
        &[JValue::Object(&paddings)],
    )?;
    env.call_method(
        &builder,
        jni_str!("setKeySize"),
        jni_sig!("(I)Landroid/security/keystore/KeyGenParameterSpec$Builder;"),
        &[JValue::Int(KEY_SIZE_BITS)],
    )?;
    if strong_box {
        env.call_method(
            &builder,
            jni_str!("setIsStrongBoxBacked"),
            jni_sig!("(Z)Landroid/security/keystore/KeyGenParameterSpec$Builder;"),
            &[JValue::Bool(true)],
        )?;
    }
    let spec = env
        .call_method(
            &builder,
            jni_str!("build"),
            jni_sig!("()Landroid/security/keystore/KeyGenParameterSpec;"),
            &[],
        )?
        .l()?;
    let algorithm = env.new_string("AES")?;
    let provider = env.new_string(PROVIDER)?;
    let generator = env
        .call_static_method(
            jni_str!("javax/crypto/KeyGenerator"),
            jni_str!("getInstance"),
            jni_sig!("(Ljava/lang/String;Ljava/lang/String;)Ljavax/crypto/KeyGenerator;"),
            &[JValue::Object(&algorithm), JValue::Object(&provider)],
        )?
        .l()?;
    env.call_method(
        &generator,
        jni_str!("init"),
        jni_sig!("(Ljava/security/spec/AlgorithmParameterSpec;)V"),
        &[JValue::Object(&spec)],
    )?;
    let key = env
        .call_method(
            &generator,
            jni_str!("generateKey"),
            jni_sig!("()Ljavax/crypto/SecretKey;"),
            &[],
        )?
        .l()?;
    if key.is_null() {
        return Err(Fault::Jni("generateKey() returned null".into()));
    }
    Ok(key)
}

fn new_cipher<'local>(env: &mut Env<'local>) -> Result<JObject<'local>, Fault> {
    let transformation = env.new_string(TRANSFORMATION)?;
    Ok(env
        .call_static_method(
            jni_str!("javax/crypto/Cipher"),
            jni_str!("getInstance"),
            jni_sig!("(Ljava/lang/String;)Ljavax/crypto/Cipher;"),
            &[JValue::Object(&transformation)],
        )?
        .l()?)
}

fn update_aad(env: &mut Env, cipher: &JObject, aad: &[u8]) -> Result<(), Fault> {
    let aad = env.byte_array_from_slice(aad)?;
    env.call_method(
        cipher,
        jni_str!("updateAAD"),
        jni_sig!("([B)V"),
        &[JValue::Object(&aad)],
    )?;
    Ok(())
}

fn do_final<'local>(
    env: &mut Env<'local>,
    cipher: &JObject,
    input: &JByteArray,
) -> Result<JObject<'local>, Fault> {
    Ok(env
        .call_method(
            cipher,
            jni_str!("doFinal"),
            jni_sig!("([B)[B"),
            &[JValue::Object(input)],
        )?
        .l()?)
}

/// Overwrites a Java byte array that held plaintext (best effort: the JVM
/// may have copied it, but the array the GC frees holds zeros).
fn wipe(env: &Env, array: &JByteArray) {
    if let Ok(length) = array.len(env) {
        let zeros = vec![0i8; length];
        let _ = array.set_region(env, 0, &zeros);
    }
}

fn byte_array(env: &mut Env, array: JObject) -> Result<Vec<u8>, Fault> {
    if array.is_null() {
        return Err(Fault::Jni("a byte[] result was null".into()));
    }
    let array = env.cast_local::<JByteArray>(array)?;
    Ok(env.convert_byte_array(&array)?)
}

fn encrypt(
    env: &mut Env,
    key: &JObject,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), Fault> {
    let cipher = new_cipher(env)?;
    // No IV passed: the keystore picks a fresh random one (Android refuses a
    // caller-provided IV for randomized-encryption keys).
    env.call_method(
        &cipher,
        jni_str!("init"),
        jni_sig!("(ILjava/security/Key;)V"),
        &[JValue::Int(ENCRYPT_MODE), JValue::Object(key)],
    )?;
    update_aad(env, &cipher, aad)?;
    let input = env.byte_array_from_slice(plaintext)?;
    let output = do_final(env, &cipher, &input);
    wipe(env, &input);
    let ciphertext = byte_array(env, output?)?;
    let iv = env
        .call_method(&cipher, jni_str!("getIV"), jni_sig!("()[B"), &[])?
        .l()?;
    let iv = byte_array(env, iv)?;
    Ok((iv, ciphertext))
}

fn decrypt(
    env: &mut Env,
    key: &JObject,
    aad: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Fault> {
    let cipher = new_cipher(env)?;
    let iv = env.byte_array_from_slice(iv)?;
    let spec = env.new_object(
        jni_str!("javax/crypto/spec/GCMParameterSpec"),
        jni_sig!("(I[B)V"),
        &[JValue::Int(TAG_BITS), JValue::Object(&iv)],
    )?;
    env.call_method(
        &cipher,
        jni_str!("init"),
        jni_sig!("(ILjava/security/Key;Ljava/security/spec/AlgorithmParameterSpec;)V"),
        &[
            JValue::Int(DECRYPT_MODE),
            JValue::Object(key),
            JValue::Object(&spec),
        ],
    )?;
    update_aad(env, &cipher, aad)?;
    let input = env.byte_array_from_slice(ciphertext)?;
    let output = do_final(env, &cipher, &input)?;
    if output.is_null() {
        return Err(Fault::Jni("doFinal returned null".into()));
    }
    let output = env.cast_local::<JByteArray>(output)?;
    let plaintext = Zeroizing::new(env.convert_byte_array(&output)?);
    wipe(env, &output);
    Ok(plaintext)
}
