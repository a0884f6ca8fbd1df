// Test stand-in for android.content.Context: getNoBackupFilesDir(), which
// tokenkeeper calls to find where its ciphertext files live, and
// getApplicationContext(), which TokenKeeperAndroid.init hands over.
package android.content;

import java.io.File;

public class Context {
    private final File noBackupFilesDir;

    public Context(File noBackupFilesDir) {
        this.noBackupFilesDir = noBackupFilesDir;
    }

    public Context getApplicationContext() {
        return this;
    }

    public File getNoBackupFilesDir() {
        return noBackupFilesDir;
    }
}
