package dev.tokenkeeper

import dev.tokenkeeper.ffi.AuthClient
import dev.tokenkeeper.ffi.AuthConfig
import dev.tokenkeeper.ffi.Claims
import dev.tokenkeeper.ffi.FlushReport
import dev.tokenkeeper.ffi.HttpRequest
import dev.tokenkeeper.ffi.HttpResponse
import dev.tokenkeeper.ffi.HttpTransport
import dev.tokenkeeper.ffi.LogoutOutcome
import dev.tokenkeeper.ffi.SecureStore
import dev.tokenkeeper.ffi.SessionEvent
import dev.tokenkeeper.ffi.SessionListener
import dev.tokenkeeper.ffi.SessionState
import dev.tokenkeeper.ffi.TokenResponse
import dev.tokenkeeper.ffi.TokenkeeperException
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.SharedFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asSharedFlow
import kotlinx.coroutines.flow.asStateFlow

/**
 * One user session against one auth server: the Kotlin face of the Rust `AuthClient`.
 *
 * Create one per server and account at start-up, call [restore], then read tokens with
 * [accessToken] or let [dev.tokenkeeper.okhttp.TokenKeeperInterceptor] and
 * [dev.tokenkeeper.okhttp.TokenKeeperAuthenticator] attach them. Safe from any thread
 * and coroutine. Every failure is a [TokenkeeperException].
 *
 * The library holds this object (it forwards session events to [state]) until [close].
 */
class TokenKeeper private constructor(private val client: AuthClient) : AutoCloseable {
    /** Set when the library has the JNI fast path for [freshAccessToken]. */
    internal val fastPathId: Long? = client.jniFastPathId()?.toLong()?.takeIf { NativeFastPath.available }
    private val mutableState = MutableStateFlow(client.state())
    private val mutableEvents = MutableSharedFlow<SessionEvent>(
        extraBufferCapacity = EVENT_BUFFER,
        onBufferOverflow = BufferOverflow.DROP_OLDEST,
    )

    /** The session's state, updated on every event; starts as `Unknown` until [restore]. */
    val state: StateFlow<SessionState> = mutableState.asStateFlow()

    /** Every session event from subscription on (logged in, refreshed, expired...). */
    val events: SharedFlow<SessionEvent> = mutableEvents.asSharedFlow()

    init {
        client.setListener(Forwarder())
    }

    /** Reads the stored session; call once at start-up. */
    suspend fun restore(): SessionState = publishing { client.restore() }

    /** Logs in; replaces any current session (whose refresh token is then revoked). */
    suspend fun login(username: String, password: String) = publishing { client.login(username, password) }

    /** Starts a session from tokens obtained elsewhere (e.g. a browser authorization-code flow). */
    suspend fun startSession(tokens: TokenResponse) = publishing { client.startSession(tokens) }

    /** A valid access token, refreshed first when it is about to expire. */
    suspend fun accessToken(): String = freshAccessToken() ?: client.accessToken()

    /** The access token if it needs no refresh, without suspending; else null. */
    fun freshAccessToken(): String? =
        fastPathId?.let { NativeFastPath.freshAccessToken(it) } ?: client.freshAccessToken()

    /**
     * The token to retry with after the server answered 401 to [rejectedToken]. Any
     * number of concurrent calls for one token cost one refresh.
     */
    suspend fun renewAfterRejection(rejectedToken: String): String =
        client.renewAfterRejection(rejectedToken)

    /** Whether requests to [url] get the bearer token (its origin is allowed). */
    fun sendsTokenTo(url: String): Boolean = client.sendsTokenTo(url)

    /** Claims of the current access token, when there is a session and it is a JWT. */
    fun claims(): Claims? = client.claims()

    /** Sends [request] with the built-in (or the configured) transport and the bearer token. */
    suspend fun send(request: HttpRequest): HttpResponse = client.send(request)

    /** [request] with the bearer token added when its origin is allowed. */
    suspend fun authorize(request: HttpRequest): HttpRequest = client.authorize(request)

    /** Refreshes now, whatever the token's remaining lifetime. */
    suspend fun refresh() = publishing { client.refresh() }

    /** Ends the session here, then revokes it on the server (queued when offline). */
    suspend fun logout(): LogoutOutcome = publishing { client.logout() }

    /** Retries queued revocations now. */
    suspend fun flushPending(): FlushReport = client.flushPending()

    /**
     * Releases the session's resources; later calls throw [TokenkeeperException.Closed].
     * The stored session stays: this is not [logout].
     */
    override fun close() {
        client.shutdown()
    }

    /** Calls that change the state publish it when done, failed ones too (a locked store). */
    private inline fun <T> publishing(block: () -> T): T =
        try {
            block()
        } finally {
            publishState()
        }

    private fun publishState() {
        // After close() the last state stays.
        runCatching { client.state() }.onSuccess { mutableState.value = it }
    }

    /** Runs on a library thread; must not block. */
    private inner class Forwarder : SessionListener {
        override fun onEvent(event: SessionEvent) {
            publishState()
            mutableEvents.tryEmit(event)
        }
    }

    companion object {
        private const val EVENT_BUFFER = 64

        /**
         * A client keeping its session in [store] and sending HTTP through [transport]
         * (e.g. [dev.tokenkeeper.okhttp.OkHttpTransport]) or, when null, the built-in client.
         */
        fun create(config: AuthConfig, store: SecureStore, transport: HttpTransport? = null) =
            TokenKeeper(AuthClient(config, store, transport))

        /** A client whose session lives in memory only: for tests and demos. */
        fun inMemory(config: AuthConfig, transport: HttpTransport? = null) =
            TokenKeeper(AuthClient.inMemory(config, transport))
    }
}
