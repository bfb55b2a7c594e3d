package dev.airgap.importer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Copies a stream into a new file with the writes on a second thread, so reading the bundle (and
 * hashing it) overlaps with writing staging files: a single thread taking turns kept import at
 * about half of {@code tar xf}. Small files are copied inline.
 */
final class OverlappedFileWriter {
  private static final int CHUNK = 1 << 20;
  private static final int DEPTH = 4;
  private static final ByteBuffer END = ByteBuffer.allocate(0);

  private OverlappedFileWriter() {}

  /** Copies {@code in} to a new file {@code target}; {@code inlineBuffer} serves small files. */
  static void copy(InputStream in, Path target, long expectedSize, byte[] inlineBuffer) throws IOException {
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      if (expectedSize < 4L * CHUNK) {
        int n;
        while ((n = in.read(inlineBuffer)) > 0) {
          ByteBuffer b = ByteBuffer.wrap(inlineBuffer, 0, n);
          while (b.hasRemaining()) out.write(b);
        }
        return;
      }
      BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(DEPTH);
      BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(DEPTH + 1);
      for (int i = 0; i < DEPTH; i++) free.add(ByteBuffer.allocate(CHUNK));
      IOException[] failure = {null};
      Thread writer = new Thread(() -> {
        try {
          while (true) {
            ByteBuffer b = full.take();
            if (b == END) return;
            while (b.hasRemaining()) out.write(b);
            b.clear();
            free.put(b);
          }
        } catch (IOException e) {
          failure[0] = e;
          free.clear();
          free.add(END); // wake the reader, which then sees the failure
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "airgap-stage-writer");
      writer.setDaemon(true);
      writer.start();
      try {
        while (true) {
          ByteBuffer b = free.take();
          if (b == END || failure[0] != null) break;
          int n = readFully(in, b.array());
          if (n <= 0) {
            free.put(b);
            break;
          }
          b.limit(n);
          full.put(b);
          if (n < CHUNK) break;
        }
        full.put(END);
        writer.join();
      } catch (InterruptedException e) {
        writer.interrupt();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while staging " + target, e);
      } catch (IOException | RuntimeException e) {
        writer.interrupt();
        throw e;
      }
      if (failure[0] != null) throw failure[0];
    }
  }

  private static int readFully(InputStream in, byte[] buf) throws IOException {
    int total = 0;
    while (total < buf.length) {
      int n = in.read(buf, total, buf.length - total);
      if (n < 0) break;
      total += n;
    }
    return total;
  }
}
