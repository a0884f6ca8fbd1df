//! The contract every `SecureStore` backend must meet, as one suite that each
//! backend's test file runs against its own store:
//!
//! ```ignore
//! mod store_conformance;
//! store_conformance::check_store(Arc::new(MyStore::new()), "my-backend");
//! ```
//!
//! Keys are prefixed with `prefix` plus a per-run nonce, so stores that
//! persist (a keyring, a file) can run it repeatedly without clean-up.
#![allow(dead_code)] // each test binary uses a different part

use std::sync::Arc;
use std::thread;

use tokenkeeper::store::{SecureStore, StoreError};
use tokenkeeper::{AuthClient, AuthConfig, AuthError, SessionState};

pub fn check_store(store: Arc<dyn SecureStore>, prefix: &str) {
    let prefix = format!("tokenkeeper.conformance.{prefix}.{:x}", fastrand::u64(..));
    let key = |name: &str| format!("{prefix}.{name}");
    missing_keys(store.as_ref(), &key("missing"));
    round_trip_overwrite_delete(store.as_ref(), &key("round-trip"));
    values_are_bytes(store.as_ref(), &key("bytes"));
    unicode_keys(store.as_ref(), &format!("{prefix}.ünïcødé-账户-🔑"));
    large_values(store.as_ref(), &key("large"));
    compare_and_set(store.as_ref(), &key("cas"));
    concurrent_writers(&store, &key("concurrent"));
    concurrent_compare_and_set(&store, &key("counter"));
    corrupt_record_is_a_typed_error(Arc::clone(&store), &prefix);
}

fn missing_keys(store: &dyn SecureStore, key: &str) {
    assert_eq!(store.get(key), Err(StoreError::NotFound));
    assert_eq!(store.delete(key), Ok(()), "deleting a missing key is fine");
}

fn round_trip_overwrite_delete(store: &dyn SecureStore, key: &str) {
    store.set(key, b"first").unwrap();
    assert_eq!(store.get(key).unwrap(), b"first");
    store.set(key, b"second, longer than the first").unwrap();
    assert_eq!(store.get(key).unwrap(), b"second, longer than the first");
    store.set(key, b"3").unwrap();
    assert_eq!(
        store.get(key).unwrap(),
        b"3",
        "a shorter value leaves no tail"
    );
    store.delete(key).unwrap();
    assert_eq!(store.get(key), Err(StoreError::NotFound));
}

fn values_are_bytes(store: &dyn SecureStore, key: &str) {
    let all_bytes: Vec<u8> = (0..=255).collect();
    let unicode = "токен 🔑 トークン\u{0}end".as_bytes();
    for value in [all_bytes.as_slice(), unicode, b"".as_slice()] {
        store.set(key, value).unwrap();
        assert_eq!(store.get(key).unwrap(), value);
    }
    store.delete(key).unwrap();
}

fn unicode_keys(store: &dyn SecureStore, key: &str) {
    store.set(key, b"v").unwrap();
    assert_eq!(store.get(key).unwrap(), b"v");
    store.delete(key).unwrap();
    assert_eq!(store.get(key), Err(StoreError::NotFound));
}

fn large_values(store: &dyn SecureStore, key: &str) {
    let value: Vec<u8> = (0..64 * 1024).map(|i| (i * 31 % 251) as u8).collect();
    store.set(key, &value).unwrap();
    assert_eq!(store.get(key).unwrap(), value);
    store.delete(key).unwrap();
}

fn compare_and_set(store: &dyn SecureStore, key: &str) {
    assert!(
        store.compare_and_set(key, None, Some(b"one")).unwrap(),
        "absent as expected"
    );
    assert!(
        !store.compare_and_set(key, None, Some(b"two")).unwrap(),
        "not absent any more"
    );
    assert!(
        !store
            .compare_and_set(key, Some(b"other"), Some(b"two"))
            .unwrap()
    );
    assert_eq!(
        store.get(key).unwrap(),
        b"one",
        "a failed compare writes nothing"
    );
    assert!(
        store
            .compare_and_set(key, Some(b"one"), Some(b"two"))
            .unwrap()
    );
    assert_eq!(store.get(key).unwrap(), b"two");
    assert!(
        store.compare_and_set(key, Some(b"two"), None).unwrap(),
        "None deletes"
    );
    assert_eq!(store.get(key), Err(StoreError::NotFound));
}

/// Threads writing their own keys and one shared key: nothing is lost or mixed.
fn concurrent_writers(store: &Arc<dyn SecureStore>, key: &str) {
    const THREADS: usize = 6;
    const WRITES: usize = 20;
    let value = |thread: usize, write: usize| format!("thread {thread} write {write} ").repeat(50);
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (store, key) = (Arc::clone(store), key.to_owned());
            thread::spawn(move || {
                for w in 0..WRITES {
                    store
                        .set(&format!("{key}.{t}"), value(t, w).as_bytes())
                        .unwrap();
                    store.set(&key, value(t, w).as_bytes()).unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    for t in 0..THREADS {
        let own = format!("{key}.{t}");
        assert_eq!(store.get(&own).unwrap(), value(t, WRITES - 1).as_bytes());
        store.delete(&own).unwrap();
    }
    let shared = String::from_utf8(store.get(key).unwrap()).unwrap();
    assert!(
        (0..THREADS).any(|t| shared == value(t, WRITES - 1)),
        "the shared key holds one whole last write, not a mix"
    );
    store.delete(key).unwrap();
}

/// Read-modify-write through compare_and_set from several threads: no lost update.
fn concurrent_compare_and_set(store: &Arc<dyn SecureStore>, key: &str) {
    const THREADS: usize = 4;
    const INCREMENTS: u32 = 15;
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (store, key) = (Arc::clone(store), key.to_owned());
            thread::spawn(move || {
                for _ in 0..INCREMENTS {
                    loop {
                        let current = match store.get(&key) {
                            Ok(bytes) => Some(bytes),
                            Err(StoreError::NotFound) => None,
                            Err(error) => panic!("{error}"),
                        };
                        let count: u32 = current.as_deref().map_or(0, |bytes| {
                            std::str::from_utf8(bytes).unwrap().parse().unwrap()
                        });
                        let next = (count + 1).to_string();
                        if store
                            .compare_and_set(&key, current.as_deref(), Some(next.as_bytes()))
                            .unwrap()
                        {
                            break;
                        }
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let total = (THREADS as u32 * INCREMENTS).to_string();
    assert_eq!(store.get(key).unwrap(), total.as_bytes());
    store.delete(key).unwrap();
}

/// Garbage under the session key: the engine reports a typed error and
/// starts logged out; it neither panics nor deletes what it cannot read.
fn corrupt_record_is_a_typed_error(store: Arc<dyn SecureStore>, namespace: &str) {
    let config = AuthConfig::builder("https://auth.example.com")
        .namespace(namespace)
        .build()
        .unwrap();
    let session_key = format!("tokenkeeper.{namespace}.session");
    let garbage = b"\xff\xfe not a session record {";
    store.set(&session_key, garbage).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = AuthClient::with_defaults(config, Arc::clone(&store));
    let restored = runtime.block_on(client.restore());
    assert!(
        matches!(restored, Err(AuthError::Record(_))),
        "{restored:?}"
    );
    assert_eq!(client.state(), SessionState::LoggedOut);
    assert_eq!(
        store.get(&session_key).unwrap(),
        garbage,
        "left for a newer SDK or a human"
    );
    store.delete(&session_key).unwrap();
}
