package dev.tokenkeeper.okhttp

import dev.tokenkeeper.ffi.HttpHeader
import dev.tokenkeeper.ffi.HttpMethod
import dev.tokenkeeper.ffi.HttpRequest
import dev.tokenkeeper.ffi.HttpResponse
import dev.tokenkeeper.ffi.HttpTransport
import dev.tokenkeeper.ffi.HttpTransportException
import java.io.IOException
import java.io.InterruptedIOException
import java.net.ConnectException
import java.net.UnknownHostException
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlinx.coroutines.suspendCancellableCoroutine
import okhttp3.Call
import okhttp3.Callback
import okhttp3.Headers
import okhttp3.MediaType.Companion.toMediaTypeOrNull
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody
import okhttp3.Response

/**
 * The app's [OkHttpClient] as the library's HTTP transport (login, refresh, revocation
 * and `send`), so its certificate pinning, proxy and logging settings apply.
 *
 * Redirects are not followed (a token must never travel to a URL the session did not
 * allow), and requests it sends are marked so that [TokenKeeperInterceptor] and
 * [TokenKeeperAuthenticator] on the same client leave them alone.
 */
class OkHttpTransport(client: OkHttpClient) : HttpTransport {
    private val client = client.newBuilder().followRedirects(false).followSslRedirects(false).build()

    override suspend fun send(request: HttpRequest): HttpResponse {
        val call = client.newCall(request.toOkHttp())
        return suspendCancellableCoroutine { continuation ->
            continuation.invokeOnCancellation { call.cancel() }
            call.enqueue(object : Callback {
                override fun onResponse(call: Call, response: Response) {
                    val converted = try {
                        response.use { it.toTokenKeeper() }
                    } catch (error: IOException) {
                        continuation.resumeWithException(error.toTransportException())
                        return
                    }
                    continuation.resume(converted)
                }

                override fun onFailure(call: Call, e: IOException) {
                    continuation.resumeWithException(e.toTransportException())
                }
            })
        }
    }
}

/** Tag of the requests the library sends itself. */
internal object LibraryRequest

internal fun Request.isLibraryRequest() = tag(LibraryRequest::class.java) != null

private fun HttpRequest.toOkHttp(): Request {
    val headers = Headers.Builder().apply { headers.forEach { add(it.name, it.value) } }.build()
    val body = when {
        body.isNotEmpty() -> body.toRequestBody(headers["Content-Type"]?.toMediaTypeOrNull())
        method.needsBody() -> ByteArray(0).toRequestBody(null)
        else -> null
    }
    return Request.Builder()
        .url(url)
        .headers(headers)
        .method(method.name, body)
        .tag(LibraryRequest::class.java, LibraryRequest)
        .build()
}

private fun HttpMethod.needsBody() =
    this == HttpMethod.POST || this == HttpMethod.PUT || this == HttpMethod.PATCH

private fun Response.toTokenKeeper() = HttpResponse(
    status = code.toUShort(),
    headers = headers.map { (name, value) -> HttpHeader(name, value) },
    body = body?.bytes() ?: ByteArray(0),
)

private fun IOException.toTransportException(): HttpTransportException {
    // Only the exception's class: its message may echo a URL with a query string.
    val detail = this::class.java.simpleName
    return when (this) {
        is ConnectException, is UnknownHostException -> HttpTransportException.Connect(detail)
        is InterruptedIOException -> HttpTransportException.Timeout(detail)
        else -> HttpTransportException.Io(detail)
    }
}
