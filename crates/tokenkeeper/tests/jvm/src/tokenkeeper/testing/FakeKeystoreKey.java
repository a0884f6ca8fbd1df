package tokenkeeper.testing;

import android.security.keystore.KeyPermanentlyInvalidatedException;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** A key held inside the fake provider: like an AndroidKeyStore key it has no
 * encoded form, so only the provider's own Cipher can use it. */
final class FakeKeystoreKey implements SecretKey {
    private static final long serialVersionUID = 1L;
    static final int USABLE = 0;
    static final int INVALIDATED = 1;
    static final int UNRECOVERABLE = 2;

    final String alias;
    private final transient SecretKeySpec material;
    volatile int state = USABLE;

    FakeKeystoreKey(String alias, SecretKeySpec material) {
        this.alias = alias;
        this.material = material;
    }

    SecretKeySpec materialForCipher() throws KeyPermanentlyInvalidatedException {
        if (state == INVALIDATED) {
            throw new KeyPermanentlyInvalidatedException();
        }
        return material;
    }

    @Override
    public String getAlgorithm() {
        return "AES";
    }

    @Override
    public String getFormat() {
        return null;
    }

    @Override
    public byte[] getEncoded() {
        return null;
    }
}
