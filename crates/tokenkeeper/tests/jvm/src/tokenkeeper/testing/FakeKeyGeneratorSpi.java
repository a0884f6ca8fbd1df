package tokenkeeper.testing;

import android.security.keystore.KeyGenParameterSpec;
import android.security.keystore.KeyProperties;
import android.security.keystore.StrongBoxUnavailableException;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.KeyGenerator;
import javax.crypto.KeyGeneratorSpi;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

public final class FakeKeyGeneratorSpi extends KeyGeneratorSpi {
    private KeyGenParameterSpec spec;

    @Override
    protected void engineInit(SecureRandom random) {
        throw new UnsupportedOperationException("AndroidKeyStore needs a KeyGenParameterSpec");
    }

    @Override
    protected void engineInit(int keySize, SecureRandom random) {
        throw new UnsupportedOperationException("AndroidKeyStore needs a KeyGenParameterSpec");
    }

    @Override
    protected void engineInit(AlgorithmParameterSpec params, SecureRandom random)
            throws InvalidAlgorithmParameterException {
        if (!(params instanceof KeyGenParameterSpec)) {
            throw new InvalidAlgorithmParameterException("expected a KeyGenParameterSpec");
        }
        KeyGenParameterSpec s = (KeyGenParameterSpec) params;
        int needed = KeyProperties.PURPOSE_ENCRYPT | KeyProperties.PURPOSE_DECRYPT;
        if ((s.getPurposes() & needed) != needed) {
            throw new InvalidAlgorithmParameterException("purposes must include encrypt and decrypt");
        }
        if (!Arrays.asList(s.getBlockModes()).contains(KeyProperties.BLOCK_MODE_GCM)) {
            throw new InvalidAlgorithmParameterException("block mode GCM not authorized");
        }
        if (!Arrays.asList(s.getEncryptionPaddings()).contains(KeyProperties.ENCRYPTION_PADDING_NONE)) {
            throw new InvalidAlgorithmParameterException("padding NoPadding not authorized");
        }
        int size = s.getKeySize() == -1 ? 256 : s.getKeySize();
        if (size != 128 && size != 192 && size != 256) {
            throw new InvalidAlgorithmParameterException("unsupported key size " + size);
        }
        this.spec = s;
    }

    @Override
    protected SecretKey engineGenerateKey() {
        if (spec == null) {
            throw new IllegalStateException("not initialized");
        }
        if (spec.isStrongBoxBacked()) {
            FakeAndroidKeyStoreProvider.STRONG_BOX_ATTEMPTS.incrementAndGet();
            throw new StrongBoxUnavailableException("this fake device has no StrongBox");
        }
        int size = spec.getKeySize() == -1 ? 256 : spec.getKeySize();
        try {
            KeyGenerator jdk = KeyGenerator.getInstance("AES", "SunJCE");
            jdk.init(size);
            SecretKeySpec material = new SecretKeySpec(jdk.generateKey().getEncoded(), "AES");
            FakeKeystoreKey key = new FakeKeystoreKey(spec.getKeystoreAlias(), material);
            FakeAndroidKeyStoreProvider.KEYS.put(spec.getKeystoreAlias(), key);
            FakeAndroidKeyStoreProvider.KEYS_GENERATED.incrementAndGet();
            FakeAndroidKeyStoreProvider.KEYS_GENERATED_BY_ALIAS
                    .computeIfAbsent(spec.getKeystoreAlias(), a -> new AtomicInteger())
                    .incrementAndGet();
            FakeAndroidKeyStoreProvider.lastKeySize = size;
            FakeAndroidKeyStoreProvider.lastUserAuthenticationRequired = spec.isUserAuthenticationRequired();
            return key;
        } catch (GeneralSecurityException e) {
            throw new ProviderException(e);
        }
    }
}
