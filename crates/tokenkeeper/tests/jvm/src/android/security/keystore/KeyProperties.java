// Test stand-in for android.security.keystore.KeyProperties: only the
// constants tokenkeeper's Android Keystore backend passes.
package android.security.keystore;

public final class KeyProperties {
    public static final int PURPOSE_ENCRYPT = 1;
    public static final int PURPOSE_DECRYPT = 2;
    public static final String KEY_ALGORITHM_AES = "AES";
    public static final String BLOCK_MODE_GCM = "GCM";
    public static final String ENCRYPTION_PADDING_NONE = "NoPadding";

    private KeyProperties() {}
}
