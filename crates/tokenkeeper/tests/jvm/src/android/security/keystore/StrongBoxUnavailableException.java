// Test stand-in: same name and superclass as Android's (API 28).
package android.security.keystore;

import java.security.ProviderException;

public class StrongBoxUnavailableException extends ProviderException {
    private static final long serialVersionUID = 1L;

    public StrongBoxUnavailableException() {
        super("No StrongBox available");
    }

    public StrongBoxUnavailableException(String message) {
        super(message);
    }
}
