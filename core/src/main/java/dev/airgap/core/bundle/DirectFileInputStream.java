package dev.airgap.core.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a file front to back with O_DIRECT where the file system allows it (plain reads
 * elsewhere, e.g. tmpfs): a second thread reads aligned 4 MiB chunks ahead of the caller, which
 * copies out of them. A multi-GB bundle read through the page cache costs the kernel a page-cache
 * fill per 4 KiB and evicts what the machine had cached; on our virtual machines a cold 2 GiB
 * read took 1.4–2.5 s with 0.75–2.1 s of system time that way against 1.2 s and 0.05 s direct,
 * and reading it while writing the staged copy went from 3.7 s to 2.2 s. Not thread-safe.
 */
final class DirectFileInputStream extends InputStream {
  private static final int CHUNK = 4 << 20;
  private static final int BUFFERS = 4;
  private static final ByteBuffer END = ByteBuffer.allocate(0);

  private final FileChannel channel;
  private final int block;
  private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final Thread reader;
  private volatile IOException failure;
  private ByteBuffer current;
  private boolean ended;

  private DirectFileInputStream(FileChannel channel, int block) {
    this.channel = channel;
    this.block = block;
    for (int i = 0; i < BUFFERS; i++) free.add(ByteBuffer.allocateDirect(CHUNK + block).alignedSlice(block).limit(CHUNK));
    reader = new Thread(this::readAhead, "airgap-bundle-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens {@code file} for direct reads, or returns null where the file system does not support them. */
  static DirectFileInputStream openOrNull(Path file) throws IOException {
    int block = (int) Math.max(4096, Files.getFileStore(file).getBlockSize());
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT);
    } catch (UnsupportedOperationException e) {
      return null;
    } catch (IOException e) {
      if (!Files.isReadable(file)) throw e;
      return null; // e.g. EINVAL from a file system without O_DIRECT
    }
    return new DirectFileInputStream(ch, block);
  }

  /** Fills free buffers from the file in order, then queues {@link #END}. */
  private void readAhead() {
    try {
      long position = 0;
      boolean last = false;
      while (!last) {
        ByteBuffer b = free.take();
        b.clear().limit(CHUNK);
        while (b.hasRemaining()) {
          int r = channel.read(b, position + b.position());
          // Direct reads move in whole blocks; only the end of the file stops one short of a block
          // boundary, and a read from there would be refused as unaligned.
          if (r <= 0 || b.position() % block != 0) {
            last = true;
            break;
          }
        }
        b.flip();
        position += b.remaining();
        if (b.hasRemaining()) full.put(b);
      }
      full.put(END);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException | Error e) {
      // Whatever ends this thread early must still wake the reader, or it would wait forever.
      failure = e instanceof IOException io ? io : new IOException("reading ahead failed: " + e, e);
      full.clear();
      full.add(END);
    }
  }

  /** The buffer to read from, or null at the end of the file. */
  private ByteBuffer current() throws IOException {
    if (current != null && current.hasRemaining()) return current;
    if (ended) return null;
    try {
      if (current != null) free.put(current);
      current = full.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading");
    }
    if (current == END) {
      current = null;
      ended = true;
      if (failure != null) throw failure;
      return null;
    }
    return current;
  }

  @Override
  public int read() throws IOException {
    ByteBuffer b = current();
    return b == null ? -1 : b.get() & 0xff;
  }

  @Override
  public int read(byte[] dst, int off, int len) throws IOException {
    if (len == 0) return 0;
    ByteBuffer b = current();
    if (b == null) return -1;
    int n = Math.min(len, b.remaining());
    b.get(dst, off, n);
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = 0;
    while (skipped < n) {
      ByteBuffer b = current();
      if (b == null) break;
      int step = (int) Math.min(n - skipped, b.remaining());
      b.position(b.position() + step);
      skipped += step;
    }
    return skipped;
  }

  @Override
  public int available() {
    return current == null ? 0 : current.remaining();
  }

  @Override
  public void close() throws IOException {
    reader.interrupt();
    try {
      reader.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      channel.close();
    }
  }
}
