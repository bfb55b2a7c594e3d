package dev.airgap.importer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * Creates small staged files on a second thread while the reading thread parses, guards and hashes
 * the next tar entries: for a bundle of 10,000 small files the create/write/close system calls
 * were most of the staging time, one file after the other. At most {@link #BUDGET} bytes wait in
 * memory; each file is read whole before it is handed over, so files must be below
 * {@link #MAX_FILE_BYTES}. An {@code afterWrite} action (e.g. submitting the file to the scanner)
 * runs on the writer thread once the file is complete. Whoever creates the writer calls
 * {@link #finish} (waits for every write, rethrows the first failure) or {@link #close}.
 */
final class SmallFileWriter implements AutoCloseable {
  static final int MAX_FILE_BYTES = 4 << 20;
  private static final int BUDGET = 16 << 20;

  private record Job(Path target, byte[] bytes, int permits, Runnable afterWrite) {}

  private static final Job END = new Job(null, new byte[0], 0, null);

  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Semaphore budget = new Semaphore(BUDGET);
  private final Thread thread;
  private volatile IOException failure;

  SmallFileWriter() {
    thread = new Thread(this::run, "airgap-stage-small");
    thread.setDaemon(true);
    thread.start();
  }

  /** Reads {@code size} bytes of {@code in} (fewer if it ends first) and queues them for a new file {@code target}. */
  void write(InputStream in, Path target, int size, Runnable afterWrite) throws IOException {
    int permits = acquire(target, size);
    byte[] bytes;
    try {
      bytes = in.readNBytes(size);
    } catch (IOException | RuntimeException e) {
      budget.release(permits);
      throw e;
    }
    queue.add(new Job(target, bytes, permits, afterWrite));
  }

  /** Queues {@code bytes} (not modified afterwards by anyone) for a new file {@code target}. */
  void write(byte[] bytes, Path target, Runnable afterWrite) throws IOException {
    queue.add(new Job(target, bytes, acquire(target, bytes.length), afterWrite));
  }

  /** Waits until {@code size} more bytes fit the memory budget; returns the permits taken. */
  private int acquire(Path target, int size) throws IOException {
    if (size > MAX_FILE_BYTES) throw new IllegalArgumentException(size + " bytes is not a small file");
    if (failure != null) throw failure;
    int permits = Math.max(1, size);
    try {
      budget.acquire(permits);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while staging " + target);
    }
    return permits;
  }

  /** Waits until every queued file is written; rethrows the first write failure. */
  void finish() throws IOException {
    queue.add(END);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while staging");
    }
    if (failure != null) throw failure;
  }

  @Override
  public void close() {
    if (!thread.isAlive()) return;
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      while (true) {
        Job job = queue.take();
        if (job == END) return;
        try {
          if (failure == null) {
            try (FileChannel out = FileChannel.open(job.target(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
              ByteBuffer b = ByteBuffer.wrap(job.bytes());
              while (b.hasRemaining()) out.write(b);
            }
            if (job.afterWrite() != null) job.afterWrite().run();
          }
        } catch (IOException e) {
          failure = e; // later jobs are only drained; the reading thread throws at its next write or at finish
        } catch (RuntimeException e) {
          failure = new IOException("staging " + job.target() + " failed: " + e, e);
        } finally {
          budget.release(job.permits());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
