// Test stand-in for android.security.keystore.KeyGenParameterSpec: the
// builder methods tokenkeeper calls, with Android's signatures and defaults
// (randomized encryption required, no user authentication, key size unset).
package android.security.keystore;

import java.security.spec.AlgorithmParameterSpec;

public final class KeyGenParameterSpec implements AlgorithmParameterSpec {
    private final String keystoreAlias;
    private final int purposes;
    private final String[] blockModes;
    private final String[] encryptionPaddings;
    private final int keySize;
    private final boolean strongBoxBacked;
    private final boolean randomizedEncryptionRequired;
    private final boolean userAuthenticationRequired;

    private KeyGenParameterSpec(Builder b) {
        this.keystoreAlias = b.keystoreAlias;
        this.purposes = b.purposes;
        this.blockModes = b.blockModes.clone();
        this.encryptionPaddings = b.encryptionPaddings.clone();
        this.keySize = b.keySize;
        this.strongBoxBacked = b.strongBoxBacked;
        this.randomizedEncryptionRequired = b.randomizedEncryptionRequired;
        this.userAuthenticationRequired = b.userAuthenticationRequired;
    }

    public String getKeystoreAlias() { return keystoreAlias; }
    public int getPurposes() { return purposes; }
    public String[] getBlockModes() { return blockModes.clone(); }
    public String[] getEncryptionPaddings() { return encryptionPaddings.clone(); }
    public int getKeySize() { return keySize; }
    public boolean isStrongBoxBacked() { return strongBoxBacked; }
    public boolean isRandomizedEncryptionRequired() { return randomizedEncryptionRequired; }
    public boolean isUserAuthenticationRequired() { return userAuthenticationRequired; }

    public static final class Builder {
        private final String keystoreAlias;
        private final int purposes;
        private String[] blockModes = new String[0];
        private String[] encryptionPaddings = new String[0];
        private int keySize = -1;
        private boolean strongBoxBacked = false;
        private boolean randomizedEncryptionRequired = true;
        private boolean userAuthenticationRequired = false;

        public Builder(String keystoreAlias, int purposes) {
            if (keystoreAlias == null || keystoreAlias.isEmpty()) {
                throw new IllegalArgumentException("keystoreAlias must not be empty");
            }
            this.keystoreAlias = keystoreAlias;
            this.purposes = purposes;
        }

        public Builder setBlockModes(String... blockModes) {
            this.blockModes = blockModes.clone();
            return this;
        }

        public Builder setEncryptionPaddings(String... paddings) {
            this.encryptionPaddings = paddings.clone();
            return this;
        }

        public Builder setKeySize(int keySize) {
            this.keySize = keySize;
            return this;
        }

        public Builder setIsStrongBoxBacked(boolean isStrongBoxBacked) {
            this.strongBoxBacked = isStrongBoxBacked;
            return this;
        }

        public Builder setRandomizedEncryptionRequired(boolean required) {
            this.randomizedEncryptionRequired = required;
            return this;
        }

        public Builder setUserAuthenticationRequired(boolean required) {
            this.userAuthenticationRequired = required;
            return this;
        }

        public KeyGenParameterSpec build() {
            return new KeyGenParameterSpec(this);
        }
    }
}
