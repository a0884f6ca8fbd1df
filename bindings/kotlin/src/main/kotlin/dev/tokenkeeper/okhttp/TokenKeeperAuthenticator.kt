package dev.tokenkeeper.okhttp

import dev.tokenkeeper.TokenKeeper
import kotlinx.coroutines.runBlocking
import okhttp3.Authenticator
import okhttp3.Request
import okhttp3.Response
import okhttp3.Route

/**
 * Answers a 401 for a request that carried the session's token: renews the token once
 * — shared by every request that got a 401 for the same token, so a hundred concurrent
 * 401s cost one refresh — and retries once with the new token. Gives up (OkHttp then
 * returns the 401) after one retry, for requests without our token, and when the
 * session cannot be renewed (its state then says why).
 */
class TokenKeeperAuthenticator(private val keeper: TokenKeeper) : Authenticator {
    override fun authenticate(route: Route?, response: Response): Request? {
        if (response.priorResponse?.code == UNAUTHORIZED) return null
        val request = response.request
        if (request.isLibraryRequest()) return null
        val rejected = bearerToken(request.header(AUTHORIZATION)) ?: return null
        val renewed = try {
            typed {
                if (!keeper.sendsTokenTo(request.url.toString())) return null
                runBlocking { keeper.renewAfterRejection(rejected) }
            }
        } catch (_: TokenUnavailableException) {
            return null
        }
        if (renewed == rejected) return null
        return request.newBuilder().header(AUTHORIZATION, bearer(renewed)).build()
    }

    private companion object {
        const val UNAUTHORIZED = 401
    }
}
