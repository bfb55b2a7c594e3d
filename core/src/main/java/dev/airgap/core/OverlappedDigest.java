package dev.airgap.core;

import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * SHA-256 that runs beside the caller's I/O: for large inputs, bytes are copied into a few pooled
 * chunks and hashed on a second thread, so reading, writing and hashing overlap instead of taking
 * turns (one thread manages ~0.8 GB/s read+hash; the disk and the SHA unit each do more). Small
 * inputs are hashed inline with no thread and no copy. Not thread-safe; one instance per stream.
 */
public final class OverlappedDigest implements AutoCloseable {
  /** Inputs smaller than this are hashed inline. */
  public static final int CHUNK = 1 << 20;
  private static final int DEPTH = 4;
  private static final byte[] END = new byte[0];

  private final MessageDigest md = Digest.newMessageDigest();
  private final boolean overlapped;
  private BlockingQueue<byte[]> free;
  private BlockingQueue<byte[]> full;
  private BlockingQueue<Integer> lengths;
  private Thread worker;
  private volatile Throwable failure;
  private byte[] current;
  private int fill;
  private boolean finished;

  /** A digest that always hashes on the caller's thread. */
  public static OverlappedDigest inline() {
    return new OverlappedDigest(0);
  }

  /** {@code expectedSize} picks the strategy; the actual input may differ (callers check sizes). */
  public OverlappedDigest(long expectedSize) {
    this.overlapped = expectedSize >= 2L * CHUNK;
  }

  public void update(byte[] b, int off, int len) {
    if (!overlapped) {
      md.update(b, off, len);
      return;
    }
    while (len > 0) {
      if (current == null) current = take(free());
      int n = Math.min(len, CHUNK - fill);
      System.arraycopy(b, off, current, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == CHUNK) handOver();
    }
  }

  /** Waits for the hashing thread and returns the digest of everything passed to update. */
  public Digest digest() {
    if (finished) throw new IllegalStateException("digest already taken");
    finished = true;
    if (overlapped && worker != null) {
      if (fill > 0) handOver();
      put(full, END);
      put(lengths, 0);
      try {
        worker.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while hashing", e);
      }
      if (failure != null) throw new IllegalStateException("hashing thread failed", failure);
    } else if (current != null && fill > 0) {
      md.update(current, 0, fill);
    }
    return Digest.fromRaw(md.digest());
  }

  private BlockingQueue<byte[]> free() {
    if (free == null) {
      free = new ArrayBlockingQueue<>(DEPTH);
      full = new ArrayBlockingQueue<>(DEPTH + 1);
      lengths = new ArrayBlockingQueue<>(DEPTH + 1);
      for (int i = 0; i < DEPTH; i++) free.add(new byte[CHUNK]);
    }
    return free;
  }

  private void handOver() {
    if (worker == null) {
      worker = new Thread(this::hashLoop, "airgap-sha256");
      worker.setDaemon(true);
      worker.start();
    }
    put(full, current);
    put(lengths, fill);
    current = null;
    fill = 0;
  }

  private void hashLoop() {
    try {
      while (true) {
        byte[] chunk = full.take();
        int len = lengths.take();
        if (chunk == END) return;
        md.update(chunk, 0, len);
        free.put(chunk);
      }
    } catch (Throwable t) {
      failure = t;
    }
  }

  private <T> T take(BlockingQueue<T> q) {
    try {
      if (failure != null) throw new IllegalStateException("hashing thread failed", failure);
      return q.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while hashing", e);
    }
  }

  private static <T> void put(BlockingQueue<T> q, T v) {
    try {
      q.put(v);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while hashing", e);
    }
  }

  /** Stops the hashing thread if the caller gives up before {@link #digest()}. */
  @Override
  public void close() {
    if (worker != null && !finished) {
      finished = true;
      worker.interrupt();
    }
  }
}
