package dev.airgap.core.bundle;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Writes a new file sequentially with O_DIRECT where the file system allows it (buffered
 * elsewhere, e.g. tmpfs): bytes collect in aligned 1 MiB buffers that go to the disk whole, so the
 * kernel never copies them into the page cache — for a multi-GB bundle that copy and its
 * write-back were the largest cost after hashing. A direct write returns only when the device has
 * the data, so full buffers are written by a second thread while the caller fills the next one.
 * {@link #finishAndSync} writes the last partial
 * buffer padded to the block size, truncates the file to its real length and syncs it.
 * {@link #flush} does nothing: only whole buffers can go out. Not thread-safe.
 */
final class DirectFileOutputStream extends OutputStream {
  private static final int CHUNK = 1 << 20;
  private static final int BUFFERS = 3;
  private static final ByteBuffer END = ByteBuffer.allocate(0);

  private final FileChannel channel;
  private final boolean direct;
  private final int block;
  private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(BUFFERS + 1);
  private ByteBuffer buffer;
  private long length;
  private Thread writer;
  private volatile IOException failure;

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
    if (!buffer.hasRemaining()) handOff();
    buffer.put((byte) b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (!buffer.hasRemaining()) handOff();
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
    stopWriter();
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

  /** Queues the full buffer for the writer thread and continues in a free one. */
  private void handOff() throws IOException {
    if (failure != null) throw failure;
    if (writer == null) startWriter();
    buffer.flip();
    length += CHUNK;
    try {
      full.put(buffer);
      buffer = free.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing");
    }
    if (buffer == END) {
      buffer = ByteBuffer.allocate(0);
      throw failure;
    }
    buffer.clear().limit(CHUNK);
  }

  private void startWriter() {
    for (int i = 1; i < BUFFERS; i++) free.add(ByteBuffer.allocateDirect(CHUNK + 2 * block).alignedSlice(block));
    writer = new Thread(() -> {
      try {
        while (true) {
          ByteBuffer b = full.take();
          if (b == END) return;
          while (b.hasRemaining()) channel.write(b);
          free.put(b);
        }
      } catch (IOException e) {
        failure = e;
        free.clear();
        free.add(END); // wakes the caller, which then throws the failure
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "airgap-bundle-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Lets the writer finish every queued buffer; rethrows its failure. */
  private void stopWriter() throws IOException {
    if (writer == null) return;
    try {
      if (failure == null) full.put(END);
      writer.join();
    } catch (InterruptedException e) {
      writer.interrupt();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing");
    } finally {
      writer = null;
    }
    if (failure != null) throw failure;
  }

  @Override
  public void close() throws IOException {
    try {
      if (writer != null) {
        writer.interrupt();
        try {
          writer.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        writer = null;
      }
    } finally {
      channel.close();
    }
  }
}
