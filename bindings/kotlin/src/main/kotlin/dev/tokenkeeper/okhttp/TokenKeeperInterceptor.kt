package dev.tokenkeeper.okhttp

import dev.tokenkeeper.TokenKeeper
import dev.tokenkeeper.ffi.TokenkeeperException
import java.io.IOException
import kotlinx.coroutines.runBlocking
import okhttp3.Interceptor
import okhttp3.Response

/**
 * Adds `Authorization: Bearer <token>` to requests for the session's allowed origins,
 * refreshing first when the token is about to expire (one refresh for any number of
 * concurrent requests). Requests that already carry an Authorization header, requests
 * to other origins and the library's own requests (through [OkHttpTransport]) go out
 * unchanged.
 *
 * Add it with [okhttp3.OkHttpClient.Builder.addInterceptor], together with
 * [TokenKeeperAuthenticator] for the 401s a token still valid here can get.
 */
class TokenKeeperInterceptor(private val keeper: TokenKeeper) : Interceptor {
    override fun intercept(chain: Interceptor.Chain): Response {
        val request = chain.request()
        if (request.isLibraryRequest() || request.header(AUTHORIZATION) != null) {
            return chain.proceed(request)
        }
        val token = typed {
            if (!keeper.sendsTokenTo(request.url.toString())) return chain.proceed(request)
            keeper.freshAccessToken() ?: runBlocking { keeper.accessToken() }
        }
        return chain.proceed(request.newBuilder().header(AUTHORIZATION, bearer(token)).build())
    }
}

/**
 * No token could be had for a request (not logged in, session expired, offline during a
 * needed refresh...): the typed reason is [cause]. An [IOException] so OkHttp hands it to
 * `Callback.onFailure` or throws it from `execute()`, as it does with network failures.
 */
class TokenUnavailableException(override val cause: TokenkeeperException) :
    IOException("no access token: ${cause::class.simpleName}", cause)

internal const val AUTHORIZATION = "Authorization"
private const val BEARER_PREFIX = "Bearer "

internal fun bearer(token: String) = BEARER_PREFIX + token

internal fun bearerToken(headerValue: String?): String? =
    headerValue?.takeIf { it.startsWith(BEARER_PREFIX) }?.substring(BEARER_PREFIX.length)

/**
 * Runs [block], turning the library's exceptions into [TokenUnavailableException]: OkHttp
 * delivers only IOExceptions to the app (any other one kills an async call's thread).
 * OkHttp runs interceptors and authenticators on its own threads, so [block] may block.
 */
internal inline fun <T> typed(block: () -> T): T =
    try {
        block()
    } catch (error: TokenkeeperException) {
        throw TokenUnavailableException(error)
    }
