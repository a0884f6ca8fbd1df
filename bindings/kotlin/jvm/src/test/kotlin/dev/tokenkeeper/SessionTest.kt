package dev.tokenkeeper

import dev.tokenkeeper.ffi.LogoutOutcome
import dev.tokenkeeper.ffi.SessionEvent
import dev.tokenkeeper.ffi.SessionState
import dev.tokenkeeper.ffi.TokenkeeperException
import dev.tokenkeeper.okhttp.TokenUnavailableException
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The session life cycle through the Kotlin layer and OkHttp, against the reference server. */
class SessionTest {
    private val server = ReferenceServer()

    @AfterEach
    fun stopServer() = server.close()

    @Test
    fun `login, authorised call, forced expiry refresh, logout`() = runBlocking<Unit> {
        TokenKeeper.inMemory(server.config()).use { keeper ->
            assertEquals(SessionState.LoggedOut, keeper.restore())
            keeper.login(server.username, server.password)
            assertEquals(SessionState.LoggedIn, keeper.state.value)
            assertEquals("user-1", keeper.claims()?.sub)
            assertNotNull(keeper.fastPathId, "the JNI fast path is in use")
            assertEquals(keeper.accessToken(), keeper.freshAccessToken())
            val http = authorisedHttp(keeper)
            assertEquals(200, onIo { http.statusOf(server.url("/api/me")) })

            server.expireAccessTokens()
            assertEquals(200, onIo { http.statusOf(server.url("/api/me")) }, "renewed after the 401")
            assertEquals(1, server.counter("refreshes"))
            assertEquals(1, server.counter("api_unauthorized"))

            assertEquals(LogoutOutcome.REVOKED, keeper.logout())
            assertEquals(SessionState.LoggedOut, keeper.state.value)
            assertEquals(1, server.counter("revocations"))
            val error = assertThrows<TokenUnavailableException> { onIo { http.statusOf(server.url("/api/me")) } }
            assertIs<TokenkeeperException.NotLoggedIn>(error.cause)
        }
    }

    @Test
    fun `two hundred coroutines on an expired token cost one refresh`() = runBlocking<Unit> {
        TokenKeeper.inMemory(server.config()).use { keeper ->
            server.setAccessTtl(1_500)
            keeper.login(server.username, server.password)
            server.setAccessTtl(300_000) // the renewed token outlives the burst
            waitUntilExpired(keeper)
            server.resetCounters()

            val http = authorisedHttp(keeper)
            val statuses = concurrentStatuses(200) { http.statusOf(server.url("/api/me")) }

            assertEquals(List(200) { 200 }, statuses)
            assertEquals(1, server.counter("refresh_calls"))
            assertEquals(0, server.counter("api_unauthorized"), "no request went out with the expired token")
        }
    }

    @Test
    fun `two hundred concurrent 401s cost one refresh and each call one retry`() = runBlocking<Unit> {
        TokenKeeper.inMemory(server.config()).use { keeper ->
            keeper.login(server.username, server.password)
            val http = authorisedHttp(keeper)
            server.expireAccessTokens()
            server.resetCounters()

            val statuses = concurrentStatuses(200) { http.statusOf(server.url("/api/me")) }

            assertEquals(List(200) { 200 }, statuses)
            assertEquals(1, server.counter("refresh_calls"))
            assertEquals(0, server.counter("reuse_detections"))
            assertTrue(server.counter("api_calls") <= 400, "at most one retry per call")
        }
    }

    @Test
    fun `a 401 the server keeps answering gives up after one retry`() = runBlocking<Unit> {
        TokenKeeper.inMemory(server.config()).use { keeper ->
            keeper.login(server.username, server.password)
            val http = authorisedHttp(keeper)
            server.resetCounters()
            server.fault("api", "status", """"status":401""", count = 5)

            assertEquals(401, onIo { http.statusOf(server.url("/api/me")) })
            assertEquals(2, server.counter("api_calls"), "the call and one retry")
            assertEquals(1, server.counter("refreshes"))
        }
    }

    @Test
    fun `state flow and events follow the session`() = runBlocking<Unit> {
        TokenKeeper.inMemory(server.config()).use { keeper ->
            assertEquals(SessionState.Unknown, keeper.state.value)
            // Undispatched: subscribed before the first event can be emitted.
            val events = async(start = CoroutineStart.UNDISPATCHED) { keeper.events.take(3).toList() }

            keeper.restore()
            assertEquals(SessionState.LoggedOut, keeper.state.value)
            keeper.login(server.username, server.password)
            withTimeout(5_000) { keeper.state.first { it == SessionState.LoggedIn } }
            keeper.refresh()
            keeper.logout()
            withTimeout(5_000) { keeper.state.first { it == SessionState.LoggedOut } }

            val seen = withTimeout(5_000) { events.await() }
            assertEquals(SessionEvent.LoggedIn, seen[0])
            assertIs<SessionEvent.Refreshed>(seen[1])
            assertEquals(SessionEvent.LoggedOut, seen[2])
        }
    }

    @Test
    fun `a refused refresh ends the session with a typed error and an Expired state`() = runBlocking<Unit> {
        TokenKeeper.inMemory(server.config()).use { keeper ->
            keeper.login(server.username, server.password)
            server.fault("refresh", "status", """"status":401""")

            assertThrows<TokenkeeperException.SessionExpired> { keeper.refresh() }
            val state = withTimeout(5_000) { keeper.state.first { it is SessionState.Expired } }
            assertIs<SessionState.Expired>(state)
            assertThrows<TokenkeeperException.SessionExpired> { keeper.accessToken() }
        }
    }

    @Test
    fun `wrong password and a bad configuration are typed exceptions`() = runBlocking<Unit> {
        TokenKeeper.inMemory(server.config()).use { keeper ->
            keeper.restore()
            assertThrows<TokenkeeperException.InvalidCredentials> { keeper.login(server.username, "wrong") }
            assertEquals(SessionState.LoggedOut, keeper.state.value)
        }
        val cleartext = server.config().copy(baseUrl = "http://auth.example.com")
        assertThrows<TokenkeeperException.Config> { TokenKeeper.inMemory(cleartext) }
    }

    @Test
    fun `a closed client throws Closed and keeps its last state`() = runBlocking<Unit> {
        val keeper = TokenKeeper.inMemory(server.config())
        keeper.login(server.username, server.password)
        val token = keeper.accessToken()
        keeper.close()
        keeper.close()

        assertThrows<TokenkeeperException.Closed> { keeper.accessToken() }
        assertThrows<TokenkeeperException.Closed> { keeper.freshAccessToken() }
        assertThrows<TokenkeeperException.Closed> { keeper.renewAfterRejection(token) }
        assertEquals(SessionState.LoggedIn, keeper.state.value)
        val error = assertThrows<TokenUnavailableException> {
            onIo { authorisedHttp(keeper).statusOf(server.url("/api/me")) }
        }
        assertIs<TokenkeeperException.Closed>(error.cause)
    }
}
