package dev.tokenkeeper.sample

import android.app.Application
import dev.tokenkeeper.TokenKeeper
import dev.tokenkeeper.android.TokenKeeperAndroid
import dev.tokenkeeper.ffi.AuthConfig
import dev.tokenkeeper.okhttp.TokenKeeperAuthenticator
import dev.tokenkeeper.okhttp.TokenKeeperInterceptor
import okhttp3.OkHttpClient

class SampleApp : Application() {
    /**
     * One session per process: every screen and request shares its refresh coordination.
     * Made on first use, so a refused configuration shows up on screen (SessionViewModel)
     * instead of crashing the app at start.
     */
    val keeper: TokenKeeper by lazy {
        TokenKeeper.create(AuthConfig(baseUrl = BuildConfig.BASE_URL), TokenKeeperAndroid.keystoreStore())
    }

    /**
     * The app's own HTTP client: the interceptor adds the bearer token (only for the
     * configured origin), the authenticator renews it once on a 401 and retries.
     */
    val http: OkHttpClient by lazy {
        OkHttpClient.Builder()
            .addInterceptor(TokenKeeperInterceptor(keeper))
            .authenticator(TokenKeeperAuthenticator(keeper))
            .build()
    }

    override fun onCreate() {
        super.onCreate()
        // Before any other tokenkeeper call: loads the native library and hands it the
        // JavaVM and Context (Android Keystore, platform certificate checks).
        TokenKeeperAndroid.init(this)
    }
}
