// A JCA provider registered under the name "AndroidKeyStore" so that
// tokenkeeper's Android Keystore backend runs its real JNI code in a host JVM.
//
// It behaves like Android's where the backend can tell: keys live inside the
// provider (in memory here) and are not exportable; GCM encryption generates
// its own IV (read back with Cipher.getIV(), a caller-provided IV is refused);
// StrongBox is unavailable (StrongBoxUnavailableException at generateKey);
// an invalidated key makes Cipher.init throw KeyPermanentlyInvalidatedException.
package tokenkeeper.testing;

import java.security.Provider;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

public final class FakeAndroidKeyStoreProvider extends Provider {
    private static final long serialVersionUID = 1L;

    /** The provider's keys by alias; static, like the device keystore, so a
     * new store object (an app "restart") finds the key again. */
    static final Map<String, FakeKeystoreKey> KEYS = new ConcurrentHashMap<>();
    static final AtomicInteger STRONG_BOX_ATTEMPTS = new AtomicInteger();
    static final AtomicInteger KEYS_GENERATED = new AtomicInteger();
    static final Map<String, AtomicInteger> KEYS_GENERATED_BY_ALIAS = new ConcurrentHashMap<>();
    static volatile boolean lastUserAuthenticationRequired = true;
    static volatile int lastKeySize = 0;

    public FakeAndroidKeyStoreProvider() {
        super("AndroidKeyStore", "1.0", "tokenkeeper test stand-in for AndroidKeyStore");
        putService(new Service(this, "KeyStore", "AndroidKeyStore",
                FakeKeyStoreSpi.class.getName(), null, null));
        putService(new Service(this, "KeyGenerator", "AES",
                FakeKeyGeneratorSpi.class.getName(), null, null));
        Map<String, String> cipherAttributes = new HashMap<>();
        cipherAttributes.put("SupportedKeyClasses", FakeKeystoreKey.class.getName());
        putService(new Service(this, "Cipher", "AES/GCM/NoPadding",
                FakeCipherSpi.class.getName(), null, cipherAttributes));
    }

    /** As when the lock screen is removed or biometrics re-enrolled: the key
     * stays listed but every Cipher.init with it throws
     * KeyPermanentlyInvalidatedException. */
    public static boolean invalidate(String alias) {
        FakeKeystoreKey key = KEYS.get(alias);
        if (key == null) {
            return false;
        }
        key.state = FakeKeystoreKey.INVALIDATED;
        return true;
    }

    /** KeyStore.getKey(alias) throws UnrecoverableKeyException from now on. */
    public static boolean makeUnrecoverable(String alias) {
        FakeKeystoreKey key = KEYS.get(alias);
        if (key == null) {
            return false;
        }
        key.state = FakeKeystoreKey.UNRECOVERABLE;
        return true;
    }

    /** As when the keystore is wiped (or the app data restored on another device). */
    public static boolean deleteKey(String alias) {
        return KEYS.remove(alias) != null;
    }

    public static boolean containsKey(String alias) {
        return KEYS.containsKey(alias);
    }

    public static int strongBoxAttempts() {
        return STRONG_BOX_ATTEMPTS.get();
    }

    public static int keysGenerated() {
        return KEYS_GENERATED.get();
    }

    /** Keys generated under one alias so far (tests run in parallel: per alias). */
    public static int keysGeneratedFor(String alias) {
        AtomicInteger count = KEYS_GENERATED_BY_ALIAS.get(alias);
        return count == null ? 0 : count.get();
    }

    public static int lastKeySize() {
        return lastKeySize;
    }

    public static boolean lastUserAuthenticationRequired() {
        return lastUserAuthenticationRequired;
    }
}
