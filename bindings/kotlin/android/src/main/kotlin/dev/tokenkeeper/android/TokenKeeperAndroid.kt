package dev.tokenkeeper.android

import android.content.Context
import dev.tokenkeeper.ffi.SecureStore
import dev.tokenkeeper.ffi.androidKeystoreStore

/**
 * Android setup of tokenkeeper: call [init] once, from `Application.onCreate`, before
 * creating a `TokenKeeper`.
 *
 * ```
 * class App : Application() {
 *     override fun onCreate() {
 *         super.onCreate()
 *         TokenKeeperAndroid.init(this)
 *     }
 * }
 * // later
 * val keeper = TokenKeeper.create(AuthConfig(baseUrl = "https://api.example.com"), TokenKeeperAndroid.keystoreStore())
 * ```
 *
 * Backup: the session ciphertext lives in `noBackupFilesDir`, and its Keystore key never
 * leaves the device. The library ships `@xml/tokenkeeper_backup_rules` and
 * `@xml/tokenkeeper_data_extraction_rules`; name them in the app's `<application>` as
 * `android:fullBackupContent` and `android:dataExtractionRules`, or copy their `<exclude>`
 * lines into the app's own rules files.
 */
object TokenKeeperAndroid {
    private const val LIBRARY = "tokenkeeper_ffi"

    @Volatile
    private var initialized = false

    /**
     * Hands the JavaVM and the application Context to the Rust library: the Android
     * Keystore store and the HTTPS client's certificate checks (Android's own trust store)
     * need them. Idempotent and thread-safe; a failed call may be retried.
     *
     * @throws RuntimeException if the native side could not initialise (its message says why).
     * @throws UnsatisfiedLinkError if libtokenkeeper_ffi.so is missing for this ABI.
     */
    @JvmStatic
    fun init(context: Context) {
        if (initialized) return
        synchronized(this) {
            if (initialized) return
            // JNA (which the bindings use) loads the library with dlopen, which runs no
            // JNI_OnLoad and registers no JNI methods: load it through the JVM as well, so
            // nativeInit below resolves. Loading it twice maps the same library once.
            System.loadLibrary(LIBRARY)
            // The application Context lives as long as the process; an Activity would leak.
            nativeInit(context.applicationContext ?: context)
            initialized = true
        }
    }

    /**
     * Secure storage for the session: AES-256-GCM with a non-exportable key in the Android
     * Keystore (StrongBox when available), ciphertext in app-private `noBackupFilesDir`.
     *
     * @throws dev.tokenkeeper.ffi.TokenkeeperException.Config if [init] has not been called.
     */
    @JvmStatic
    fun keystoreStore(): SecureStore = androidKeystoreStore()

    /** Implemented in Rust: `Java_dev_tokenkeeper_android_TokenKeeperAndroid_nativeInit`. */
    @JvmStatic
    private external fun nativeInit(context: Context)
}
