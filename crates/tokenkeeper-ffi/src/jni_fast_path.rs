//! The Kotlin fast path (cargo feature `jni-fast-path`): `freshAccessToken()` as a plain
//! JNI call.
//!
//! Through UniFFI's JNA bindings every call allocates several JNA `Structure`s (call
//! status, buffers) and makes two extra native calls (clone the handle, free the
//! returned buffer): 15–60 µs on the JVM here, for a call an HTTP interceptor makes on
//! every request. A registered JNI method costs well under a microsecond. Only this one
//! read goes this way; everything else, and every error, goes through UniFFI (`None`
//! here makes Kotlin ask UniFFI, which then says why).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, PoisonError, RwLock, Weak};

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JClass, JString};
use jni::sys::jlong;
use jni::{Env, EnvUnowned};

use crate::client::AuthClient;

/// Clients Kotlin may read through [`Java_dev_tokenkeeper_NativeFastPath_freshAccessToken`],
/// by id. Weak: registering keeps no client alive.
static CLIENTS: LazyLock<RwLock<HashMap<u64, Weak<AuthClient>>>> = LazyLock::new(Default::default);
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Registers `client` (being built: hence the `Weak`); the id is valid until [`unregister`].
pub(crate) fn register(client: &Weak<AuthClient>) -> Option<u64> {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let mut clients = CLIENTS.write().unwrap_or_else(PoisonError::into_inner);
    clients.insert(id, client.clone());
    Some(id)
}

pub(crate) fn unregister(id: u64) {
    let mut clients = CLIENTS.write().unwrap_or_else(PoisonError::into_inner);
    clients.remove(&id);
}

fn fresh_access_token(id: u64) -> Option<String> {
    let client = CLIENTS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&id)
        .and_then(Weak::upgrade)?;
    client.fresh_access_token().ok().flatten()
}

/// `dev.tokenkeeper.NativeFastPath.freshAccessToken(id: Long): String?`
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_tokenkeeper_NativeFastPath_freshAccessToken<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    id: jlong,
) -> JString<'local> {
    env.with_env(
        |env: &mut Env<'local>| -> jni::errors::Result<JString<'local>> {
            match u64::try_from(id).ok().and_then(fresh_access_token) {
                Some(token) => env.new_string(token),
                None => Ok(JString::default()),
            }
        },
    )
    .resolve::<ThrowRuntimeExAndDefault>()
}
