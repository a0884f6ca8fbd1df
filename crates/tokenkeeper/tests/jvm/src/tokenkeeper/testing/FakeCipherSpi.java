package tokenkeeper.testing;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.InvalidParameterSpecException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;

/** AES/GCM/NoPadding over the JDK's own implementation, with Android's
 * rule that the keystore, not the caller, picks the encryption IV. */
public final class FakeCipherSpi extends CipherSpi {
    private static final SecureRandom RANDOM = new SecureRandom();
    private Cipher inner;
    private byte[] iv;

    @Override
    protected void engineSetMode(String mode) throws NoSuchAlgorithmException {
        if (!"GCM".equalsIgnoreCase(mode)) {
            throw new NoSuchAlgorithmException("only GCM: " + mode);
        }
    }

    @Override
    protected void engineSetPadding(String padding) throws NoSuchPaddingException {
        if (!"NoPadding".equalsIgnoreCase(padding)) {
            throw new NoSuchPaddingException("only NoPadding: " + padding);
        }
    }

    @Override
    protected int engineGetBlockSize() {
        return 16;
    }

    @Override
    protected int engineGetOutputSize(int inputLen) {
        return inner == null ? inputLen + 16 : inner.getOutputSize(inputLen);
    }

    @Override
    protected byte[] engineGetIV() {
        return iv == null ? null : iv.clone();
    }

    @Override
    protected AlgorithmParameters engineGetParameters() {
        return null;
    }

    @Override
    protected void engineInit(int opmode, Key key, SecureRandom random) throws InvalidKeyException {
        try {
            init(opmode, key, null);
        } catch (InvalidAlgorithmParameterException e) {
            throw new InvalidKeyException(e.getMessage());
        }
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        init(opmode, key, params);
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom random)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        AlgorithmParameterSpec spec = null;
        if (params != null) {
            try {
                spec = params.getParameterSpec(GCMParameterSpec.class);
            } catch (InvalidParameterSpecException e) {
                throw new InvalidAlgorithmParameterException(e);
            }
        }
        init(opmode, key, spec);
    }

    private void init(int opmode, Key key, AlgorithmParameterSpec params)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        if (!(key instanceof FakeKeystoreKey)) {
            throw new InvalidKeyException("not an AndroidKeyStore key");
        }
        FakeKeystoreKey keystoreKey = (FakeKeystoreKey) key;
        byte[] nextIv;
        if (opmode == Cipher.ENCRYPT_MODE) {
            if (params != null) {
                throw new InvalidAlgorithmParameterException("Caller-provided IV not permitted");
            }
            nextIv = new byte[12];
            RANDOM.nextBytes(nextIv);
        } else if (opmode == Cipher.DECRYPT_MODE) {
            if (!(params instanceof GCMParameterSpec)) {
                throw new InvalidAlgorithmParameterException("GCM decryption needs a GCMParameterSpec");
            }
            nextIv = ((GCMParameterSpec) params).getIV();
        } else {
            throw new InvalidKeyException("unsupported mode " + opmode);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
            c.init(opmode, keystoreKey.materialForCipher(), new GCMParameterSpec(128, nextIv));
            inner = c;
            iv = nextIv;
        } catch (InvalidKeyException | InvalidAlgorithmParameterException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new ProviderException(e);
        }
    }

    private Cipher inner() {
        if (inner == null) {
            throw new IllegalStateException("Cipher not initialized");
        }
        return inner;
    }

    @Override
    protected void engineUpdateAAD(byte[] src, int offset, int len) {
        inner().updateAAD(src, offset, len);
    }

    @Override
    protected byte[] engineUpdate(byte[] input, int inputOffset, int inputLen) {
        return inner().update(input, inputOffset, inputLen);
    }

    @Override
    protected int engineUpdate(byte[] input, int inputOffset, int inputLen, byte[] output, int outputOffset)
            throws ShortBufferException {
        return inner().update(input, inputOffset, inputLen, output, outputOffset);
    }

    @Override
    protected byte[] engineDoFinal(byte[] input, int inputOffset, int inputLen)
            throws IllegalBlockSizeException, BadPaddingException {
        return inner().doFinal(input, inputOffset, inputLen);
    }

    @Override
    protected int engineDoFinal(byte[] input, int inputOffset, int inputLen, byte[] output, int outputOffset)
            throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
        return inner().doFinal(input, inputOffset, inputLen, output, outputOffset);
    }
}
