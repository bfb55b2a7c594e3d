package dev.airgap.importer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Makes staged data durable before the generation switch. One {@code syncfs} (coreutils
 * {@code sync -f}) for the whole import instead of an fsync per file: per-file fsync made imports
 * of many small files several times slower (docs/design/0002-durability.md).
 */
final class Durability {
  private Durability() {}

  static void syncFileSystem(Path anyPathOnIt) throws IOException {
    Process p = new ProcessBuilder("sync", "-f", anyPathOnIt.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IOException("sync -f " + anyPathOnIt + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while syncing " + anyPathOnIt);
    }
  }

  /** fsync of a directory, so a rename into it survives a crash (Linux allows opening directories). */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
