package dev.airgap.core.bundle;

import dev.airgap.core.Digest;
import dev.airgap.core.error.IntegrityException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Hashes small tar entries on a few threads while the reading thread parses the next ones. A
 * bundle of thousands of small files (a suite of .debs, a wheelhouse) is otherwise hashed one
 * entry after another on the reading thread, and before the optimising compiler has compiled the
 * SHA-256 code (short imports run on the quick compiler alone) hashing is most of that thread's
 * time. At most {@link #BUDGET} bytes wait to be hashed. {@link #finish} waits for every check and
 * throws the mismatch of the earliest entry that failed; {@link #failed} lets the reader stop early.
 */
final class SmallEntryVerifier implements AutoCloseable {
  /** Entries up to this size are read whole and hashed on the pool. */
  static final int MAX_ENTRY_BYTES = 1 << 20;
  private static final int BUDGET = 16 << 20;

  private record Check(String where, Digest expected, Future<Digest> actual) {}

  private final ExecutorService pool;
  private final Semaphore budget = new Semaphore(BUDGET);
  private final List<Check> checks = new ArrayList<>();
  private volatile boolean failed;

  SmallEntryVerifier() {
    int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "airgap-verify");
      t.setDaemon(true);
      return t;
    });
  }

  /** Queues {@code bytes} (the whole entry, not modified afterwards) for hashing against {@code expected}. */
  void submit(String where, Digest expected, byte[] bytes) throws InterruptedIOException {
    int permits = Math.max(1, bytes.length);
    try {
      budget.acquire(permits);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while verifying " + where);
    }
    checks.add(new Check(where, expected, pool.submit(() -> {
      try {
        Digest actual = Digest.of(bytes);
        if (!actual.equals(expected)) failed = true;
        return actual;
      } finally {
        budget.release(permits);
      }
    })));
  }

  /** True once some queued entry is known not to match (the reader stops reading). */
  boolean failed() {
    return failed;
  }

  /** Waits for every queued check; throws for the earliest entry whose bytes do not match. */
  void finish() throws InterruptedIOException {
    for (Check c : checks) {
      Digest actual;
      try {
        actual = c.actual().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while verifying " + c.where());
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof Error err) throw err; // e.g. out of memory: reported as such by Main
        throw new IllegalStateException("hashing " + c.where() + " failed", e.getCause());
      }
      if (!actual.equals(c.expected())) throw IntegrityException.mismatch(c.where(), c.expected(), actual);
    }
    checks.clear();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
