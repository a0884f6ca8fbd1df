package dev.tokenkeeper

import dev.tokenkeeper.ffi.AuthClient
import dev.tokenkeeper.ffi.HttpRequest
import dev.tokenkeeper.ffi.HttpResponse
import dev.tokenkeeper.ffi.HttpTransport
import dev.tokenkeeper.ffi.SecureStore
import dev.tokenkeeper.ffi.SecureStoreException
import dev.tokenkeeper.ffi.SessionEvent
import dev.tokenkeeper.ffi.SessionListener
import dev.tokenkeeper.ffi.SessionState
import dev.tokenkeeper.ffi.TokenkeeperException
import dev.tokenkeeper.okhttp.OkHttpTransport
import java.util.concurrent.atomic.AtomicInteger
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking
import okhttp3.OkHttpClient
import okhttp3.mockwebserver.MockResponse
import okhttp3.mockwebserver.MockWebServer
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

private const val SESSION_KEY = "tokenkeeper.default.session"

/** Stores, transports and listeners written in Kotlin, and what their failures become. */
class ForeignImplementationsTest {
    private val server = ReferenceServer()

    @AfterEach
    fun stopServer() = server.close()

    @Test
    fun `a Kotlin store and the OkHttp transport carry the session across clients`() = runBlocking<Unit> {
        val store = MapStore()
        val okHttp = OkHttpClient()
        TokenKeeper.create(server.config(), store, OkHttpTransport(okHttp)).use { keeper ->
            keeper.login(server.username, server.password)
            assertTrue(store.values.containsKey(SESSION_KEY))
            // The transport's own client may carry the interceptor: its requests are left alone.
            val http = authorisedHttp(keeper)
            server.expireAccessTokens()
            assertEquals(200, onIo { http.statusOf(server.url("/api/me")) })
            assertEquals(1, server.counter("refreshes"))
        }
        TokenKeeper.create(server.config(), store, OkHttpTransport(okHttp)).use { restarted ->
            assertEquals(SessionState.LoggedIn, restarted.restore())
            assertEquals(200, onIo { authorisedHttp(restarted).statusOf(server.url("/api/me")) })
            restarted.logout()
        }
        assertEquals(1, server.counter("logins"), "the second client did not log in again")
        assertTrue(store.values.isEmpty(), "logout left nothing behind")
    }

    @Test
    fun `an undeclared exception in a Kotlin store becomes a typed error`() = runBlocking<Unit> {
        val store = object : SecureStore by MapStore() {
            override fun get(key: String): ByteArray? = throw IllegalStateException("disk on fire")
        }
        TokenKeeper.create(server.config(), store).use { keeper ->
            assertThrows<TokenkeeperException.Storage> { keeper.restore() }
        }
    }

    @Test
    fun `a locked Kotlin store is StorageUnavailable, not an empty one`() = runBlocking<Unit> {
        val store = object : SecureStore by MapStore() {
            override fun get(key: String): ByteArray? = throw SecureStoreException.Unavailable("device locked")
        }
        TokenKeeper.create(server.config(), store).use { keeper ->
            assertThrows<TokenkeeperException.StorageUnavailable> { keeper.restore() }
            assertEquals(SessionState.StorageUnavailable, keeper.state.value)
        }
    }

    @Test
    fun `an undeclared exception in a Kotlin transport becomes a Network error`() = runBlocking<Unit> {
        val transport = object : HttpTransport {
            override suspend fun send(request: HttpRequest): HttpResponse = throw IllegalArgumentException("boom")
        }
        TokenKeeper.create(server.config(), MapStore(), transport).use { keeper ->
            keeper.restore()
            assertThrows<TokenkeeperException.Network> { keeper.login(server.username, server.password) }
            assertEquals(SessionState.LoggedOut, keeper.state.value)
        }
    }

    @Test
    fun `a throwing listener does not stop the events nor crash anything`() = runBlocking<Unit> {
        val calls = AtomicInteger()
        AuthClient.inMemory(server.config(), null).use { client ->
            client.setListener(object : SessionListener {
                override fun onEvent(event: SessionEvent) {
                    calls.incrementAndGet()
                    throw IllegalStateException("listener bug")
                }
            })
            client.login(server.username, server.password)
            client.refresh()
            client.logout()
            val deadline = System.currentTimeMillis() + 5_000
            while (calls.get() < 3 && System.currentTimeMillis() < deadline) Thread.sleep(10)
            assertEquals(3, calls.get())
        }
    }

    @Test
    fun `malformed tokens and bodies from a server are typed exceptions`() = runBlocking<Unit> {
        MockWebServer().use { mock ->
            val config = server.config().copy(baseUrl = mock.url("/").toString().trimEnd('/'))
            TokenKeeper.inMemory(config).use { keeper ->
                mock.enqueue(json("""{"access_token":"eyJhbGciOi.not-base64!.sig","refresh_token":"r","expires_in":300}"""))
                assertThrows<TokenkeeperException.InvalidToken> { keeper.login("a", "b") }

                mock.enqueue(json("""{"access_token": 42"""))
                assertThrows<TokenkeeperException.InvalidResponse> { keeper.login("a", "b") }

                mock.enqueue(MockResponse().setResponseCode(503))
                assertThrows<TokenkeeperException.Server> { keeper.login("a", "b") }

                assertEquals(SessionState.LoggedOut, keeper.state.value)
                assertThrows<TokenkeeperException.NotLoggedIn> { keeper.accessToken() }
            }
        }
    }

    private fun json(body: String) = MockResponse().setHeader("Content-Type", "application/json").setBody(body)
}
