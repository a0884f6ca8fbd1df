package dev.tokenkeeper

import android.content.Context
import dev.tokenkeeper.android.TokenKeeperAndroid
import dev.tokenkeeper.ffi.SessionState
import dev.tokenkeeper.ffi.TokenkeeperException
import java.io.File
import java.nio.file.Files
import java.security.Security
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import tokenkeeper.testing.FakeAndroidKeyStoreProvider

/**
 * The Android init path on a host JVM: the real `TokenKeeperAndroid` object (from the
 * Android module) loads the library, hands its Context to Rust over JNI, and the
 * Keystore store works through a session. android.content.Context and the
 * "AndroidKeyStore" JCA provider are the core tests' stand-ins (crates/tokenkeeper/tests/jvm).
 */
class AndroidInitTest {
    private val server = ReferenceServer()

    @AfterEach
    fun stopServer() = server.close()

    @Test
    fun `init hands the Context to Rust and the Keystore store keeps the session`() = runBlocking<Unit> {
        // Only this test calls init: before it, the store is a typed error.
        assertThrows<TokenkeeperException.Config> { TokenKeeperAndroid.keystoreStore() }

        Security.addProvider(FakeAndroidKeyStoreProvider())
        val noBackupDir = Files.createTempDirectory("no-backup").toFile()
        TokenKeeperAndroid.init(Context(noBackupDir))
        TokenKeeperAndroid.init(Context(noBackupDir)) // idempotent

        val token = TokenKeeper.create(server.config(), TokenKeeperAndroid.keystoreStore()).use { keeper ->
            keeper.restore()
            keeper.login(server.username, server.password)
            keeper.accessToken()
        }
        val files = File(noBackupDir, "tokenkeeper").listFiles().orEmpty()
        assertTrue(files.isNotEmpty(), "ciphertext files in noBackupFilesDir/tokenkeeper")
        val tokenBytes = token.toByteArray()
        assertFalse(files.any { it.readBytes().containsSlice(tokenBytes) }, "no token in clear on disk")

        TokenKeeper.create(server.config(), TokenKeeperAndroid.keystoreStore()).use { restarted ->
            assertEquals(SessionState.LoggedIn, restarted.restore())
            assertEquals(token, restarted.accessToken())
            restarted.logout()
        }
    }

    private fun ByteArray.containsSlice(slice: ByteArray): Boolean =
        (0..size - slice.size).any { start -> slice.indices.all { this[start + it] == slice[it] } }
}
