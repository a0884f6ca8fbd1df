package tokenkeeper.testing;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.Key;
import java.security.KeyStoreException;
import java.security.KeyStoreSpi;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;

public final class FakeKeyStoreSpi extends KeyStoreSpi {
    @Override
    public Key engineGetKey(String alias, char[] password) throws UnrecoverableKeyException {
        FakeKeystoreKey key = FakeAndroidKeyStoreProvider.KEYS.get(alias);
        if (key != null && key.state == FakeKeystoreKey.UNRECOVERABLE) {
            throw new UnrecoverableKeyException("Failed to obtain information about key");
        }
        return key;
    }

    @Override
    public Certificate[] engineGetCertificateChain(String alias) {
        return null;
    }

    @Override
    public Certificate engineGetCertificate(String alias) {
        return null;
    }

    @Override
    public Date engineGetCreationDate(String alias) {
        return null;
    }

    @Override
    public void engineSetKeyEntry(String alias, Key key, char[] password, Certificate[] chain)
            throws KeyStoreException {
        throw new KeyStoreException("importing keys is not supported by the fake");
    }

    @Override
    public void engineSetKeyEntry(String alias, byte[] key, Certificate[] chain)
            throws KeyStoreException {
        throw new KeyStoreException("importing keys is not supported by the fake");
    }

    @Override
    public void engineSetCertificateEntry(String alias, Certificate cert) throws KeyStoreException {
        throw new KeyStoreException("certificates are not supported by the fake");
    }

    @Override
    public void engineDeleteEntry(String alias) {
        FakeAndroidKeyStoreProvider.KEYS.remove(alias);
    }

    @Override
    public Enumeration<String> engineAliases() {
        return Collections.enumeration(FakeAndroidKeyStoreProvider.KEYS.keySet());
    }

    @Override
    public boolean engineContainsAlias(String alias) {
        return FakeAndroidKeyStoreProvider.KEYS.containsKey(alias);
    }

    @Override
    public int engineSize() {
        return FakeAndroidKeyStoreProvider.KEYS.size();
    }

    @Override
    public boolean engineIsKeyEntry(String alias) {
        return engineContainsAlias(alias);
    }

    @Override
    public boolean engineIsCertificateEntry(String alias) {
        return false;
    }

    @Override
    public String engineGetCertificateAlias(Certificate cert) {
        return null;
    }

    @Override
    public void engineStore(OutputStream stream, char[] password) {
        throw new UnsupportedOperationException("AndroidKeyStore cannot be stored");
    }

    @Override
    public void engineLoad(InputStream stream, char[] password) {
        if (stream != null) {
            throw new IllegalArgumentException("AndroidKeyStore loads from null only");
        }
    }
}
