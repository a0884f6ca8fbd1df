package dev.tokenkeeper

import com.sun.jna.NativeLibrary

/**
 * `freshAccessToken()` as a plain JNI call into the Rust library (its cargo feature
 * `jni-fast-path`, on in the Android build): through JNA every call allocates several
 * native structures, tens of microseconds on a JVM, for a read an interceptor makes on
 * every request. When the library lacks the method or cannot be registered with the JVM,
 * [available] is false and callers use the UniFFI call.
 */
internal object NativeFastPath {
    private const val LIBRARY = "tokenkeeper_ffi"

    val available: Boolean = load() && probe()

    /** The client's token if fresh; null if not fresh, unknown id, or closed client. */
    @JvmStatic
    external fun freshAccessToken(id: Long): String?

    /**
     * JNI methods resolve only in libraries the JVM loaded itself: load the file JNA
     * already mapped (the same mapping), or the platform's copy (Android).
     */
    private fun load(): Boolean = try {
        val file = NativeLibrary.getInstance(LIBRARY).file
        if (file != null && file.isFile) System.load(file.absolutePath) else System.loadLibrary(LIBRARY)
        true
    } catch (_: UnsatisfiedLinkError) {
        false
    } catch (_: SecurityException) {
        false
    }

    /** A library built without the feature has no such symbol. */
    private fun probe(): Boolean = try {
        freshAccessToken(0) == null
    } catch (_: UnsatisfiedLinkError) {
        false
    }
}
