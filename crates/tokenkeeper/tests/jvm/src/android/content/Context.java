// Test stand-in for android.content.Context: only getNoBackupFilesDir(),
// which tokenkeeper calls to find where its ciphertext files live.
package android.content;

import java.io.File;

public class Context {
    private final File noBackupFilesDir;

    public Context(File noBackupFilesDir) {
        this.noBackupFilesDir = noBackupFilesDir;
    }

    public File getNoBackupFilesDir() {
        return noBackupFilesDir;
    }
}
