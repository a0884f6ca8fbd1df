package dev.tokenkeeper

import dev.tokenkeeper.ffi.AuthConfig
import java.io.BufferedReader
import java.io.InputStreamReader
import java.util.concurrent.TimeUnit
import okhttp3.MediaType.Companion.toMediaType
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody

/**
 * The reference auth server (crates/tokenkeeper-testserver) as a child process on
 * 127.0.0.1, with its `/_test` controls. The binary's path comes from the system
 * property `tokenkeeper.testserver` (set by the Maven build).
 */
class ReferenceServer(accessTtlMs: Long = 300_000) : AutoCloseable {
    private val process: Process = ProcessBuilder(
        binary(), "--port", "0", "--access-ttl-ms", accessTtlMs.toString(), "--exit-on-stdin-close",
    ).redirectError(ProcessBuilder.Redirect.INHERIT).start()

    val baseUrl: String = readBaseUrl()
    private val http = OkHttpClient()

    val username = "alice@example.com"
    val password = "correct horse battery staple"

    /** What the SDK needs to talk to this server (no leeway: expiry tests are exact). */
    fun config() = AuthConfig(
        baseUrl = baseUrl,
        allowedOrigins = emptyList(),
        leewaySecs = 0u,
        minTtlSecs = null,
        issuer = "https://auth.tokenkeeper.test",
        audience = "tokenkeeper-demo",
        namespace = null,
        endpoints = null,
    )

    fun url(path: String) = baseUrl + path

    /** `GET /_test/counters` as name → value. */
    fun counters(): Map<String, Long> {
        val body = call(Request.Builder().url(url("/_test/counters")).build())
        return Regex("\"(\\w+)\":(\\d+)").findAll(body).associate { it.groupValues[1] to it.groupValues[2].toLong() }
    }

    fun counter(name: String): Long = counters().getValue(name)

    fun resetCounters() = post("/_test/reset", "{}")

    /** Every access token issued so far is refused from now on (401). */
    fun expireAccessTokens() = post("/_test/expire-access-tokens", "{}")

    fun setAccessTtl(ms: Long) = post("/_test/config", """{"access_ttl_ms":$ms}""")

    /** Queues [count] faults, e.g. `fault("refresh", "status", """"status":400""")`. */
    fun fault(endpoint: String, kind: String, extra: String = "", count: Int = 1) {
        val fields = listOf(""""endpoint":"$endpoint"""", """"kind":"$kind"""", """"count":$count""", extra)
        post("/_test/faults", fields.filter { it.isNotEmpty() }.joinToString(",", "{", "}"))
    }

    private fun post(path: String, json: String) {
        call(Request.Builder().url(url(path)).post(json.toRequestBody("application/json".toMediaType())).build())
    }

    private fun call(request: Request): String = http.newCall(request).execute().use { response ->
        check(response.isSuccessful) { "${request.url} answered ${response.code}" }
        response.body!!.string()
    }

    private fun readBaseUrl(): String {
        val line = BufferedReader(InputStreamReader(process.inputStream)).readLine()
            ?: error("the reference server exited before listening")
        return line.removePrefix("listening on ").trim()
    }

    override fun close() {
        process.outputStream.close() // --exit-on-stdin-close
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
        http.dispatcher.executorService.shutdown()
        http.connectionPool.evictAll()
    }

    private companion object {
        fun binary(): String = System.getProperty("tokenkeeper.testserver")
            ?: error("set the system property tokenkeeper.testserver to the reference server binary")
    }
}
