package dev.tokenkeeper

import dev.tokenkeeper.ffi.AuthClient
import kotlinx.coroutines.runBlocking

/**
 * Plain timing of `accessToken()` from Kotlin through the FFI on a valid session
 * (scripts/bench-kotlin.sh runs it against the release library). Each variant: a
 * warm-up, then [BATCHES] batches of [CALLS_PER_BATCH] calls; prints the median batch's
 * time per call, and the fastest and slowest batch, as a Markdown table.
 */
fun main() {
    ReferenceServer().use { server ->
        TokenKeeper.inMemory(server.config()).use { keeper ->
            AuthClient.inMemory(server.config(), null).use { raw ->
                runBlocking {
                    keeper.login(server.username, server.password)
                    raw.login(server.username, server.password)
                }
                println("| call (valid session) | median ns/call | fastest batch | slowest batch |")
                println("|---|---:|---:|---:|")
                measure("`TokenKeeper.freshAccessToken()` (plain call)") { calls ->
                    repeat(calls) { keeper.freshAccessToken() }
                }
                measure("`TokenKeeper.accessToken()` from a coroutine") { calls ->
                    runBlocking { repeat(calls) { keeper.accessToken() } }
                }
                measure("generated `AuthClient.accessToken()` (UniFFI async) from a coroutine") { calls ->
                    runBlocking { repeat(calls) { raw.accessToken() } }
                }
                measure("`runBlocking { TokenKeeper.accessToken() }` per call") { calls ->
                    repeat(calls) { runBlocking { keeper.accessToken() } }
                }
                // The floor: a sync call that returns a small enum through a RustBuffer.
                measure("floor: generated `AuthClient.state()` (plain call)") { calls ->
                    repeat(calls) { raw.state() }
                }
            }
        }
    }
}

private const val WARM_UP_CALLS = 50_000
private const val BATCHES = 21
private const val CALLS_PER_BATCH = 10_000

/** [makeCalls] makes the number of calls it is given. */
private fun measure(name: String, makeCalls: (Int) -> Unit) {
    fun nanosPerCall(calls: Int): Double {
        val started = System.nanoTime()
        makeCalls(calls)
        return (System.nanoTime() - started).toDouble() / calls
    }
    nanosPerCall(WARM_UP_CALLS)
    val batches = List(BATCHES) { nanosPerCall(CALLS_PER_BATCH) }.sorted()
    fun ns(value: Double) = "%.0f".format(value)
    println("| $name | ${ns(batches[BATCHES / 2])} | ${ns(batches.first())} | ${ns(batches.last())} |")
}
