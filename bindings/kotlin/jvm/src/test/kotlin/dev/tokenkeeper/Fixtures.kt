package dev.tokenkeeper

import dev.tokenkeeper.ffi.SecureStore
import dev.tokenkeeper.okhttp.TokenKeeperAuthenticator
import dev.tokenkeeper.okhttp.TokenKeeperInterceptor
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
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

/**
 * [count] coroutines, each on its own thread making one blocking call, all released at
 * once (so the calls really overlap); their statuses.
 */
@OptIn(ExperimentalCoroutinesApi::class)
suspend fun concurrentStatuses(count: Int, call: () -> Int): List<Int> = coroutineScope {
    val ready = CountDownLatch(count)
    val start = CountDownLatch(1)
    val threads = Dispatchers.IO.limitedParallelism(count)
    val calls = (1..count).map {
        async(threads) {
            ready.countDown()
            start.await()
            call()
        }
    }
    onIo { ready.await() }
    start.countDown()
    calls.awaitAll()
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
