//! The Android Keystore backend, run through its real JNI code in a host JVM
//! that this test starts: `tests/jvm/src` holds a JCA provider registered as
//! "AndroidKeyStore" (keys in memory, the provider picks the GCM IV, no
//! StrongBox, keys that can be invalidated) and stand-ins for the
//! `android.security.keystore` classes and `android.content.Context`.
//!
//! Needs a JDK: `JAVA_HOME` (default /usr/lib/jvm/java-17-openjdk-amd64) with
//! `lib/server/libjvm.so` and `bin/javac` (else `javac` on the PATH).

mod store_conformance;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use jni::objects::JObject;
use jni::{Env, InitArgsBuilder, JNIVersion, JValue, JavaVM, jni_sig, jni_str};
use tokenkeeper::store::android_keystore::{AndroidKeystoreStore, no_backup_directory};
use tokenkeeper::store::{SecureStore, Serialized, StoreError};

const DEFAULT_JAVA_HOME: &str = "/usr/lib/jvm/java-17-openjdk-amd64";

fn java_home() -> PathBuf {
    std::env::var_os("JAVA_HOME")
        .filter(|home| !home.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_JAVA_HOME))
}

fn java_sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            java_sources(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "java") {
            found.push(path);
        }
    }
}

/// Compiles the Java stand-ins into target/tmp.
fn compile_fakes() -> PathBuf {
    let classes =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("tokenkeeper-android-keystore-classes");
    let _ = fs::remove_dir_all(&classes);
    fs::create_dir_all(&classes).unwrap();
    let mut sources = Vec::new();
    java_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jvm/src"),
        &mut sources,
    );
    let jdk_javac = java_home().join("bin/javac");
    let javac = if jdk_javac.exists() {
        jdk_javac
    } else {
        PathBuf::from("javac")
    };
    let status = Command::new(&javac)
        .arg("-encoding")
        .arg("UTF-8")
        .arg("-d")
        .arg(&classes)
        .args(&sources)
        .status()
        .unwrap_or_else(|error| {
            panic!(
                "running {}: {error} (set JAVA_HOME to a JDK)",
                javac.display()
            )
        });
    assert!(status.success(), "javac failed on tests/jvm/src");
    classes
}

/// The one JVM of this process (JNI allows no second), with the fake
/// provider registered through java.security.Security.addProvider.
fn jvm() -> JavaVM {
    static JVM: OnceLock<JavaVM> = OnceLock::new();
    JVM.get_or_init(|| {
        let classes = compile_fakes();
        let args = InitArgsBuilder::new()
            .version(JNIVersion::V1_8)
            .option(format!("-Djava.class.path={}", classes.display()))
            .option("-Xcheck:jni")
            .build()
            .unwrap();
        let libjvm = java_home().join("lib/server/libjvm.so");
        let vm = JavaVM::with_libjvm(args, || Ok(libjvm.clone()))
            .unwrap_or_else(|error| panic!("starting the JVM from {}: {error}", libjvm.display()));
        vm.attach_current_thread(|env| -> jni::errors::Result<()> {
            let provider = env.new_object(
                jni_str!("tokenkeeper/testing/FakeAndroidKeyStoreProvider"),
                jni_sig!("()V"),
                &[],
            )?;
            env.call_static_method(
                jni_str!("java/security/Security"),
                jni_str!("addProvider"),
                jni_sig!("(Ljava/security/Provider;)I"),
                &[JValue::Object(&provider)],
            )?;
            Ok(())
        })
        .unwrap();
        vm
    })
    .clone()
}

/// What the fake provider can be asked or told, per alias.
#[derive(Clone, Copy)]
enum Fake {
    Invalidate,
    MakeUnrecoverable,
    DeleteKey,
    ContainsKey,
}

fn keys_generated_for(alias: &str) -> i32 {
    jvm()
        .attach_current_thread(|env| -> jni::errors::Result<i32> {
            let alias = env.new_string(alias)?;
            env.call_static_method(
                jni_str!("tokenkeeper/testing/FakeAndroidKeyStoreProvider"),
                jni_str!("keysGeneratedFor"),
                jni_sig!("(Ljava/lang/String;)I"),
                &[JValue::Object(&alias)],
            )?
            .i()
        })
        .unwrap()
}

fn fake(action: Fake, alias: &str) -> bool {
    jvm()
        .attach_current_thread(|env| -> jni::errors::Result<bool> {
            let alias = env.new_string(alias)?;
            let class = jni_str!("tokenkeeper/testing/FakeAndroidKeyStoreProvider");
            let sig = jni_sig!("(Ljava/lang/String;)Z");
            let args = [JValue::Object(&alias)];
            match action {
                Fake::Invalidate => {
                    env.call_static_method(class, jni_str!("invalidate"), sig, &args)
                }
                Fake::MakeUnrecoverable => {
                    env.call_static_method(class, jni_str!("makeUnrecoverable"), sig, &args)
                }
                Fake::DeleteKey => env.call_static_method(class, jni_str!("deleteKey"), sig, &args),
                Fake::ContainsKey => {
                    env.call_static_method(class, jni_str!("containsKey"), sig, &args)
                }
            }?
            .z()
        })
        .unwrap()
}

fn fake_stat(env: &mut Env, name: &'static str) -> jni::errors::Result<i32> {
    let class = jni_str!("tokenkeeper/testing/FakeAndroidKeyStoreProvider");
    match name {
        "strongBoxAttempts" => {
            env.call_static_method(class, jni_str!("strongBoxAttempts"), jni_sig!("()I"), &[])
        }
        "lastKeySize" => {
            env.call_static_method(class, jni_str!("lastKeySize"), jni_sig!("()I"), &[])
        }
        _ => unreachable!("{name}"),
    }?
    .i()
}

fn stat(name: &'static str) -> i32 {
    jvm()
        .attach_current_thread(|env| fake_stat(env, name))
        .unwrap()
}

/// A fresh directory and alias per test: the tests run in parallel and the
/// fake keystore, like a device's, is shared by the whole process.
fn fresh(name: &str) -> (PathBuf, String) {
    let nonce = fastrand::u64(..);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("tokenkeeper-android-keystore-stores")
        .join(format!("{name}-{nonce:016x}"));
    (dir, format!("tokenkeeper.test.{name}.{nonce:016x}"))
}

fn open(dir: &Path, alias: &str) -> Serialized<AndroidKeystoreStore> {
    AndroidKeystoreStore::open(jvm(), dir, alias).unwrap()
}

fn record_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn conformance() {
    let (dir, alias) = fresh("conformance");
    let store = open(&dir, &alias);
    store_conformance::check_store(Arc::new(store), "android-keystore");
    assert!(
        fake(Fake::ContainsKey, &alias),
        "the key lives in the keystore"
    );
    assert!(
        stat("strongBoxAttempts") >= 1,
        "StrongBox is tried first, and its absence falls back"
    );
    assert_eq!(stat("lastKeySize"), 256);
    assert_eq!(
        keys_generated_for(&alias),
        1,
        "one key, generated on the first write"
    );
    let leftovers: Vec<_> = record_files(&dir)
        .into_iter()
        .filter(|path| path.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary files left: {leftovers:?}"
    );
}

#[test]
fn values_survive_a_restart() {
    let (dir, alias) = fresh("restart");
    let long_key = format!("tokenkeeper.{}.session", "long-namespace-".repeat(20));
    {
        let store = open(&dir, &alias);
        store
            .set("tokenkeeper.default.session", b"session record")
            .unwrap();
        store.set(&long_key, b"hashed file name").unwrap();
        store.set("gone", b"deleted before the restart").unwrap();
        store.delete("gone").unwrap();
    }
    let generated = keys_generated_for(&alias);
    let store = open(&dir, &alias);
    assert_eq!(
        store.get("tokenkeeper.default.session").unwrap(),
        b"session record"
    );
    assert_eq!(store.get(&long_key).unwrap(), b"hashed file name");
    assert_eq!(store.get("gone"), Err(StoreError::NotFound));
    store
        .set("tokenkeeper.default.session", b"rewritten")
        .unwrap();
    assert_eq!(
        keys_generated_for(&alias),
        generated,
        "the existing key is reused"
    );
    let names: Vec<String> = record_files(&dir)
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names
            .iter()
            .any(|name| name.starts_with("h-") && name.len() == 2 + 64 + 5),
        "{names:?}"
    );
}

#[test]
fn tampered_files_are_corrupt() {
    let (dir, alias) = fresh("tampered");
    let store = open(&dir, &alias);
    let secret = b"refresh-token-that-must-not-leak";
    store.set("a", secret).unwrap();
    store.set("b", b"another value").unwrap();
    let path_a = store.backend().path_for("a").unwrap();
    let path_b = store.backend().path_for("b").unwrap();
    let original = fs::read(&path_a).unwrap();

    let mut flipped = original.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    fs::write(&path_a, &flipped).unwrap();
    let error = store.get("a").unwrap_err();
    assert!(matches!(error, StoreError::Corrupt(_)), "{error:?}");
    assert!(!error.to_string().contains("refresh-token"), "{error}");

    let mut flipped_iv = original.clone();
    flipped_iv[6] ^= 0x80;
    fs::write(&path_a, &flipped_iv).unwrap();
    assert!(matches!(store.get("a"), Err(StoreError::Corrupt(_))));

    for garbage in [
        &b""[..],
        b"TKKS",
        b"\xff\xfe not a record at all, just bytes",
    ] {
        fs::write(&path_a, garbage).unwrap();
        assert!(
            matches!(store.get("a"), Err(StoreError::Corrupt(_))),
            "{garbage:?}"
        );
    }

    // A whole valid record moved under another key's name: the key is part
    // of the authenticated data.
    fs::copy(&path_b, &path_a).unwrap();
    assert!(matches!(store.get("a"), Err(StoreError::Corrupt(_))));

    fs::write(&path_a, &original).unwrap();
    assert_eq!(
        store.get("a").unwrap(),
        secret,
        "the genuine record still reads"
    );
    store.set("a", b"overwrites a corrupt record").unwrap();
}

#[test]
fn an_invalidated_key_is_reported_then_replaced() {
    let (dir, alias) = fresh("invalidated");
    let store = open(&dir, &alias);
    store
        .set("session", b"before the lock screen changed")
        .unwrap();
    let generated = keys_generated_for(&alias);
    assert!(fake(Fake::Invalidate, &alias));

    let error = store.get("session").unwrap_err();
    assert!(matches!(error, StoreError::KeyInvalidated(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("KeyPermanentlyInvalidatedException"),
        "{error}"
    );
    assert_eq!(
        store.compare_and_set("session", Some(b"x"), Some(b"y")),
        Err(error.clone()),
        "compare_and_set cannot compare what it cannot read"
    );

    store.set("session", b"after a new login").unwrap();
    assert_eq!(
        keys_generated_for(&alias),
        generated + 1,
        "a new key was generated"
    );
    assert_eq!(store.get("session").unwrap(), b"after a new login");
    let restarted = open(&dir, &alias);
    assert_eq!(restarted.get("session").unwrap(), b"after a new login");
}

#[test]
fn an_unrecoverable_or_missing_key_is_reported_then_replaced() {
    let (dir, alias) = fresh("unrecoverable");
    open(&dir, &alias).set("session", b"v1").unwrap();

    assert!(fake(Fake::MakeUnrecoverable, &alias));
    let store = open(&dir, &alias);
    let error = store.get("session").unwrap_err();
    assert!(matches!(error, StoreError::KeyInvalidated(_)), "{error:?}");
    assert!(
        error.to_string().contains("UnrecoverableKeyException"),
        "{error}"
    );
    store.set("session", b"v2").unwrap();
    assert_eq!(store.get("session").unwrap(), b"v2");

    // The keystore lost the key (wiped, or files restored onto another device).
    assert!(fake(Fake::DeleteKey, &alias));
    let store = open(&dir, &alias);
    assert!(matches!(
        store.get("session"),
        Err(StoreError::KeyInvalidated(_))
    ));
    store.set("session", b"v3").unwrap();
    assert_eq!(open(&dir, &alias).get("session").unwrap(), b"v3");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[test]
fn files_on_disk_hold_no_plaintext() {
    let (dir, alias) = fresh("plaintext");
    let store = open(&dir, &alias);
    let value = b"eyJhbGciOiJSUzI1NiJ9.PLAINTEXT-REFRESH-TOKEN-0123456789.signature";
    store.set("session", value).unwrap();
    let first = fs::read(store.backend().path_for("session").unwrap()).unwrap();
    store.set("session", value).unwrap();
    let second = fs::read(store.backend().path_for("session").unwrap()).unwrap();
    for bytes in [&first, &second] {
        assert!(!contains(bytes, value));
        for chunk in value.chunks_exact(8) {
            assert!(
                !contains(bytes, chunk),
                "no 8-byte piece of the value on disk"
            );
        }
        assert_eq!(&bytes[..6], b"TKKS\x01\x0c", "versioned header, 12-byte IV");
        assert_eq!(bytes.len(), 6 + 12 + value.len() + 16);
    }
    assert_ne!(first[6..18], second[6..18], "a fresh IV per write");
    assert_ne!(first, second);
    for path in record_files(&dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.contains("PLAINTEXT"), "{name}");
        assert!(!contains(&fs::read(&path).unwrap(), value));
    }
    let debug = format!("{:?}", store.backend());
    assert!(
        debug.contains(&alias) && !debug.contains("PLAINTEXT"),
        "{debug}"
    );
}

#[test]
fn an_unusable_directory_is_a_typed_error() {
    let (dir, alias) = fresh("bad-directory");
    fs::create_dir_all(dir.parent().unwrap()).unwrap();
    fs::write(&dir, b"a file where the directory should be").unwrap();
    let under_a_file = dir.join("store");
    let error = AndroidKeystoreStore::new(jvm(), &under_a_file, &alias).unwrap_err();
    assert!(
        matches!(error, StoreError::Other(_) | StoreError::Unavailable(_)),
        "{error:?}"
    );
    let error = AndroidKeystoreStore::new(jvm(), &dir, &alias).unwrap_err();
    assert!(matches!(error, StoreError::Other(_)), "{error:?}");
    assert!(
        AndroidKeystoreStore::new(jvm(), dir.with_extension("ok"), "").is_err(),
        "empty alias"
    );

    // The directory disappears after construction, replaced by a file.
    let (dir, alias) = fresh("vanishing-directory");
    let store = open(&dir, &alias);
    store.set("k", b"v").unwrap();
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        store.get("k"),
        Err(StoreError::NotFound),
        "nothing stored any more"
    );
    store.set("k", b"recreated").unwrap();
    assert_eq!(store.get("k").unwrap(), b"recreated");
    fs::remove_dir_all(&dir).unwrap();
    fs::write(&dir, b"not a directory").unwrap();
    let error = store.get("k").unwrap_err();
    assert!(matches!(error, StoreError::Other(_)), "{error:?}");
    let error = store.set("k", b"v").unwrap_err();
    assert!(
        matches!(error, StoreError::Other(_) | StoreError::Unavailable(_)),
        "{error:?}"
    );
    assert!(store.delete("k").is_err());
}

#[test]
fn the_directory_comes_from_the_context() {
    let (dir, alias) = fresh("context");
    let (store, bad_subdirectory, null_context) = jvm()
        .attach_current_thread(|env| -> jni::errors::Result<_> {
            let path = env.new_string(dir.to_string_lossy())?;
            let file = env.new_object(
                jni_str!("java/io/File"),
                jni_sig!("(Ljava/lang/String;)V"),
                &[JValue::Object(&path)],
            )?;
            let context = env.new_object(
                jni_str!("android/content/Context"),
                jni_sig!("(Ljava/io/File;)V"),
                &[JValue::Object(&file)],
            )?;
            let store = AndroidKeystoreStore::from_context(env, &context, &alias);
            let bad = no_backup_directory(env, &context, "../escape");
            let null = AndroidKeystoreStore::from_context(env, &JObject::null(), &alias);
            Ok((store, bad, null))
        })
        .unwrap();
    let store = Serialized::new(store.unwrap());
    assert_eq!(store.backend().directory(), dir.join("tokenkeeper"));
    store.set("k", b"v").unwrap();
    assert_eq!(store.get("k").unwrap(), b"v");
    assert!(dir.join("tokenkeeper").is_dir());
    assert!(bad_subdirectory.is_err());
    assert!(null_context.is_err());

    // A Context whose getNoBackupFilesDir throws: a typed error naming the
    // exception class, and nothing left pending on the thread.
    let thrown = jvm()
        .attach_current_thread(|env| -> jni::errors::Result<_> {
            let not_a_context =
                env.new_object(jni_str!("java/lang/Object"), jni_sig!("()V"), &[])?;
            let result = no_backup_directory(env, &not_a_context, "tokenkeeper");
            assert!(!env.exception_check(), "the exception was cleared");
            Ok(result)
        })
        .unwrap();
    assert!(matches!(thrown, Err(StoreError::Other(_))), "{thrown:?}");
}
