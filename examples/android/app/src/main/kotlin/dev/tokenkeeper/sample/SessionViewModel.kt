package dev.tokenkeeper.sample

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import dev.tokenkeeper.TokenKeeper
import dev.tokenkeeper.ffi.SessionState
import dev.tokenkeeper.ffi.TokenkeeperException
import dev.tokenkeeper.okhttp.TokenUnavailableException
import java.io.IOException
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import okhttp3.Request

/** What the screens show besides the session state. */
data class UiState(
    val busy: Boolean = false,
    val error: String? = null,
    /** The last answer of GET /api/me. */
    val response: String? = null,
)

class SessionViewModel(app: Application) : AndroidViewModel(app) {
    private val sample = app as SampleApp
    private val mutableUi = MutableStateFlow(UiState())
    val ui: StateFlow<UiState> = mutableUi.asStateFlow()

    private val keeper: TokenKeeper? = try {
        sample.keeper
    } catch (e: TokenkeeperException) {
        mutableUi.value = UiState(error = describe(e))
        null
    }

    /** Drives the screens: logged in shows the API screen, anything else the login. */
    val session: StateFlow<SessionState> = keeper?.state ?: MutableStateFlow(SessionState.LoggedOut)

    init {
        // Once per process: the ViewModel is made again after a configuration change.
        if (keeper != null && keeper.state.value is SessionState.Unknown) perform { keeper.restore() }
    }

    fun login(email: String, password: String) = perform {
        requireNotNull(keeper).login(email.trim(), password)
    }

    fun callApi() = perform {
        val request = Request.Builder().url("${BuildConfig.BASE_URL}/api/me").build()
        // OkHttp blocks, and so may the interceptor while a refresh runs: off the main thread.
        val text = withContext(Dispatchers.IO) {
            sample.http.newCall(request).execute().use { response ->
                "HTTP ${response.code}\n${response.body?.string().orEmpty()}"
            }
        }
        mutableUi.update { it.copy(response = text) }
    }

    fun logout() = perform {
        keeper?.logout()
        mutableUi.update { it.copy(response = null) }
    }

    /** Runs [block] with the busy flag set; its failure becomes the error text. */
    private fun perform(block: suspend () -> Unit) {
        viewModelScope.launch {
            mutableUi.update { it.copy(busy = true, error = null) }
            try {
                block()
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                mutableUi.update { it.copy(error = describe(e)) }
            } finally {
                mutableUi.update { it.copy(busy = false) }
            }
        }
    }
}

/** A sentence for the user from the typed error; tokenkeeper's details never hold a secret. */
private fun describe(error: Throwable): String = when (error) {
    is TokenkeeperException.InvalidCredentials -> "Wrong email or password."
    is TokenkeeperException.Network -> "Cannot reach ${BuildConfig.BASE_URL}: ${error.detail}"
    is TokenkeeperException.SessionExpired -> "Your session has ended: log in again."
    is TokenkeeperException.NotLoggedIn -> "Not logged in."
    is TokenkeeperException.Server -> "The server answered ${error.status}: ${error.detail}"
    is TokenkeeperException.Config -> "Configuration refused: ${error.detail}"
    is TokenkeeperException -> "${error::class.simpleName}: ${error.message}"
    // The interceptor's way of saying no token could be had; the typed reason inside.
    is TokenUnavailableException -> describe(error.cause)
    is IOException -> "Network error: ${error.message ?: error::class.simpleName}"
    else -> error.toString()
}

/** A line above the login form for states that need explaining. */
fun SessionState.notice(): String? = when (this) {
    is SessionState.Expired -> "Your session has expired: log in again."
    is SessionState.StorageUnavailable -> "Secure storage is locked: unlock the device."
    else -> null
}
