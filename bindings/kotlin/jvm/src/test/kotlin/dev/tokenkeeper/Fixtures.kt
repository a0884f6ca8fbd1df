package dev.tokenkeeper

import dev.tokenkeeper.ffi.SecureStore
import dev.tokenkeeper.okhttp.TokenKeeperAuthenticator
import dev.tokenkeeper.okhttp.TokenKeeperInterceptor
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.withContext
import okhttp3.Dispatcher
import okhttp3.OkHttpClient
import okhttp3.Request

/** An OkHttp client as an app would set it up: interceptor + authenticator. */
fun authorisedHttp(keeper: TokenKeeper): OkHttpClient = OkHttpClient.Builder()
    .addInterceptor(TokenKeeperInterceptor(keeper))
    .authenticator(TokenKeeperAuthenticator(keeper))
    .dispatcher(Dispatcher().apply { maxRequests = 256; maxRequestsPerHost = 256 })
    .readTimeout(30, TimeUnit.SECONDS)
    .build()

/** The status of `GET url` (blocking, on the caller's thread). */
fun OkHttpClient.statusOf(url: String): Int =
    newCall(Request.Builder().url(url).build()).execute().use { it.code }

/** [count] coroutines, each making one blocking call on the IO dispatcher; their statuses. */
suspend fun concurrentStatuses(count: Int, call: () -> Int): List<Int> = coroutineScope {
    (1..count).map { async(Dispatchers.IO) { call() } }.awaitAll()
}

/** Waits until the session's access token has expired by its own `exp`. */
suspend fun waitUntilExpired(keeper: TokenKeeper) {
    val exp = checkNotNull(keeper.claims()?.exp) { "no exp" }
    while (System.currentTimeMillis() <= exp * 1000 + 50) delay(50)
}

/** A secure store as an app might write one: a map (the library serializes writes). */
class MapStore : SecureStore {
    val values = ConcurrentHashMap<String, ByteArray>()

    override fun get(key: String): ByteArray? = values[key]

    override fun set(key: String, value: ByteArray) {
        values[key] = value
    }

    override fun delete(key: String) {
        values.remove(key)
    }
}

suspend fun <T> onIo(block: () -> T): T = withContext(Dispatchers.IO) { block() }
