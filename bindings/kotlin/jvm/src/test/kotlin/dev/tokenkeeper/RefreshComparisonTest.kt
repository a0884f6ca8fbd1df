package dev.tokenkeeper

import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test

/**
 * 200 coroutines call through OkHttp after the server revoked the access token: once
 * with a naive refresh-per-401 Authenticator, once with TokenKeeper's. Prints both
 * (and writes them to target/refresh-comparison.txt for BENCHMARKS.md).
 */
class RefreshComparisonTest {
    private data class Outcome(val ok: Int, val refreshCalls: Long, val reuseDetections: Long, val unauthorized: Long) {
        override fun toString() =
            "calls ok $ok/$CALLS, refresh requests $refreshCalls, refresh-token reuse detections $reuseDetections, " +
                "401s seen $unauthorized"
    }

    @Test
    fun `naive authenticator versus TokenKeeper on 200 concurrent 401s`() = runBlocking<Unit> {
        val naive = ReferenceServer().use { server ->
            val session = NaiveSession(server.baseUrl).apply { login(server.username, server.password) }
            val http = session.client()
            burst(server) { http.statusOf(server.url("/api/me")) }
        }
        val tokenKeeper = ReferenceServer().use { server ->
            TokenKeeper.inMemory(server.config()).use { keeper ->
                keeper.login(server.username, server.password)
                val http = authorisedHttp(keeper)
                burst(server) { http.statusOf(server.url("/api/me")) }
            }
        }

        val report = "naive Authenticator: $naive\nTokenKeeperAuthenticator: $tokenKeeper\n"
        print(report)
        File("target/refresh-comparison.txt").writeText(report)
        assertEquals(CALLS, tokenKeeper.ok)
        assertEquals(1, tokenKeeper.refreshCalls)
        assertEquals(0, tokenKeeper.reuseDetections)
        assertTrue(naive.refreshCalls > 1, "the baseline must show the uncoordinated refreshes: $naive")
    }

    private suspend fun burst(server: ReferenceServer, call: () -> Int): Outcome {
        server.expireAccessTokens()
        server.resetCounters()
        val statuses = concurrentStatuses(CALLS, call)
        val counters = server.counters()
        return Outcome(
            ok = statuses.count { it == 200 },
            refreshCalls = counters.getValue("refresh_calls"),
            reuseDetections = counters.getValue("reuse_detections"),
            unauthorized = counters.getValue("api_unauthorized"),
        )
    }

    private companion object {
        const val CALLS = 200
    }
}
