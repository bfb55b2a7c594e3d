package dev.airgap.core.git;

import java.io.File;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

/**
 * Keeps JGit (the importer's bundle checks, the mirror's upload-pack) away from the machine's and the user's git configuration: no
 * {@code ~/.gitconfig} or {@code /etc/gitconfig} changes how a bundle is checked or what is served, and JGit records
 * nothing (e.g. file system timestamp resolution) in the user's home. Nor does it look up this machine's name: JGit's default
 * identity ({@code user@host}, e.g. for a reflog entry) would come from {@code InetAddress.getLocalHost()} and its canonical name,
 * which is a DNS query wherever /etc/hosts does not list the host, and the isolated side asks no name service.
 */
public final class JGitSandbox {
  /** The host name JGit sees: a constant, never resolved. */
  public static final String HOST_NAME = "localhost";

  private static boolean installed;

  private JGitSandbox() {}

  public static synchronized void install() {
    if (installed) return;
    SystemReader.setInstance(new SystemReader.Delegate(SystemReader.getInstance()) {
      @Override
      public String getHostname() {
        return HOST_NAME;
      }

      @Override
      public FileBasedConfig openUserConfig(Config parent, FS fs) {
        return new EmptyConfig(parent, fs);
      }

      @Override
      public FileBasedConfig openSystemConfig(Config parent, FS fs) {
        return new EmptyConfig(parent, fs);
      }

      @Override
      public FileBasedConfig openJGitConfig(Config parent, FS fs) {
        return new EmptyConfig(parent, fs);
      }
    });
    installed = true;
  }

  /** A configuration that is always empty and never touches a file. */
  private static final class EmptyConfig extends FileBasedConfig {
    EmptyConfig(Config parent, FS fs) {
      super(parent, new File("/nonexistent/airgap-jgit-config"), fs);
    }

    @Override
    public void load() {
      // nothing to read
    }

    @Override
    public void save() {
      // nothing is ever written
    }

    @Override
    public boolean isOutdated() {
      return false;
    }
  }
}
