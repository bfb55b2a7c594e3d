package dev.airgap.importer;

import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.mirror.MirrorLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;

/** One import at a time per mirror: an OS file lock on {@code MIRROR/.lock}, released on exit or crash. */
final class MirrorLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private MirrorLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static MirrorLock acquire(MirrorLayout layout) {
    FileChannel ch = null;
    try {
      ch = FileChannel.open(layout.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        l = null;
      }
      if (l == null) {
        ch.close();
        throw new EnvironmentException(layout.root() + ": another import holds the mirror lock (" + layout.lockFile().getFileName() + ")");
      }
      return new MirrorLock(ch, l);
    } catch (IOException e) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // already failing
        }
      }
      throw EnvironmentException.io(layout.lockFile(), e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // the OS drops the lock when the process ends anyway
    }
  }
}
