package dev.airgap.core.bundle;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a new file sequentially with O_DIRECT where the file system allows it (buffered
 * elsewhere, e.g. tmpfs): bytes collect in one aligned 1 MiB buffer that goes to the disk whole,
 * so the kernel never copies them into the page cache — for a multi-GB bundle that copy and its
 * write-back were the largest cost after hashing. {@link #finishAndSync} writes the last partial
 * buffer padded to the block size, truncates the file to its real length and syncs it.
 * {@link #flush} does nothing: only whole buffers can go out. Not thread-safe.
 */
final class DirectFileOutputStream extends OutputStream {
  private static final int CHUNK = 1 << 20;

  private final FileChannel channel;
  private final boolean direct;
  private final int block;
  private final ByteBuffer buffer;
  private long length;

  private DirectFileOutputStream(FileChannel channel, boolean direct, int block) {
    this.channel = channel;
    this.direct = direct;
    this.block = block;
    this.buffer = ByteBuffer.allocateDirect(CHUNK + 2 * block).alignedSlice(block).limit(CHUNK);
  }

  /** Creates or truncates {@code file}. */
  static DirectFileOutputStream create(Path file) throws IOException {
    int block = (int) Math.max(4096, Files.getFileStore(file.toAbsolutePath().getParent()).getBlockSize());
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
          com.sun.nio.file.ExtendedOpenOption.DIRECT);
      return new DirectFileOutputStream(ch, true, block);
    } catch (IOException | UnsupportedOperationException e) {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
      return new DirectFileOutputStream(ch, false, block);
    }
  }

  @Override
  public void write(int b) throws IOException {
    if (!buffer.hasRemaining()) drain();
    buffer.put((byte) b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (!buffer.hasRemaining()) drain();
      int n = Math.min(len, buffer.remaining());
      buffer.put(b, off, n);
      off += n;
      len -= n;
    }
  }

  @Override
  public void flush() {
    // Only whole aligned buffers can be written; finishAndSync writes the rest.
  }

  /** Writes what is buffered, sets the file's exact length and forces it to the disk. */
  void finishAndSync() throws IOException {
    int n = buffer.position();
    if (n > 0) {
      if (direct) {
        int padded = (n + block - 1) / block * block;
        buffer.limit(padded);
        while (buffer.position() < padded) buffer.put((byte) 0);
      }
      buffer.flip();
      while (buffer.hasRemaining()) channel.write(buffer);
      buffer.clear().limit(CHUNK);
      length += n;
    }
    if (direct) channel.truncate(length);
    channel.force(true);
  }

  private void drain() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) channel.write(buffer);
    length += CHUNK;
    buffer.clear().limit(CHUNK);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
