package dev.tokenkeeper

import okhttp3.Authenticator
import okhttp3.Interceptor
import okhttp3.MediaType.Companion.toMediaType
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody
import okhttp3.Response
import okhttp3.Route

/**
 * The common hand-written setup this library replaces, kept only as a baseline for the
 * comparison test: tokens in two fields, an interceptor that attaches the access token
 * and an Authenticator that refreshes on every 401 with no coordination between calls.
 */
class NaiveSession(private val baseUrl: String) {
    @Volatile var access: String = ""
    @Volatile var refresh: String = ""
    private val plain = OkHttpClient()

    fun login(email: String, password: String) =
        check(exchange("/auth/login", """{"email":"$email","password":"$password"}""")) { "login failed" }

    /** POST the refresh token; true when the server answered new tokens. */
    fun refresh(): Boolean = exchange("/auth/refresh", """{"refresh_token":"$refresh"}""")

    fun client(): OkHttpClient = OkHttpClient.Builder()
        .addInterceptor(Interceptor { chain ->
            chain.proceed(chain.request().newBuilder().header("Authorization", "Bearer $access").build())
        })
        .authenticator(object : Authenticator {
            override fun authenticate(route: Route?, response: Response): Request? {
                if (response.priorResponse?.code == 401 || !refresh()) return null
                return response.request.newBuilder().header("Authorization", "Bearer $access").build()
            }
        })
        .build()

    private fun exchange(path: String, json: String): Boolean {
        val request = Request.Builder().url(baseUrl + path)
            .post(json.toRequestBody("application/json".toMediaType())).build()
        plain.newCall(request).execute().use { response ->
            if (!response.isSuccessful) return false
            val body = response.body!!.string()
            access = field(body, "access_token")
            refresh = field(body, "refresh_token")
            return true
        }
    }

    private fun field(json: String, name: String) =
        checkNotNull(Regex("\"$name\"\\s*:\\s*\"([^\"]+)\"").find(json)) { "no $name" }.groupValues[1]
}
