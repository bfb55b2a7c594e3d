package dev.airgap.exporter.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A response body that fails a read once no byte has arrived for the read timeout. The JDK's
 * {@code HttpClient} has a timeout for the response head only: its body stream blocks forever on an
 * upstream that stalls mid-body. The caller names the URL in its error. A watchdog closes the stream
 * and interrupts the blocked reader: the JDK's body stream ignores an interrupt alone and waits
 * again, but checks for close when woken. Any interrupt left is cleared before the timeout is
 * reported, so it never leaks.
 */
public final class ReadTimeoutInputStream extends FilterInputStream {
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "airgap-read-timeout");
    t.setDaemon(true);
    return t;
  });

  private final Duration timeout;
  private final ScheduledFuture<?> check;
  private final Object lock = new Object();
  private long lastProgress = System.nanoTime();
  private Thread reader;
  private boolean timedOut;

  public ReadTimeoutInputStream(InputStream in, Duration timeout) {
    super(in);
    this.timeout = timeout;
    long period = Math.max(10, timeout.toMillis() / 4);
    this.check = WATCHDOG.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  private void check() {
    synchronized (lock) {
      if (reader != null && !timedOut && System.nanoTime() - lastProgress > timeout.toNanos()) {
        timedOut = true;
        try {
          in.close();
        } catch (IOException ignored) {
          // the read below fails either way
        }
        reader.interrupt();
      }
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    synchronized (lock) {
      if (timedOut) throw timeout();
      reader = Thread.currentThread();
      lastProgress = System.nanoTime();
    }
    int n;
    try {
      n = in.read(b, off, len);
    } catch (IOException e) {
      if (finishRead()) throw timeout();
      throw e;
    }
    if (finishRead()) throw timeout();
    return n;
  }

  /** Ends a read; true when the watchdog fired during it (its interrupt is cleared here). */
  private boolean finishRead() {
    synchronized (lock) {
      reader = null;
      lastProgress = System.nanoTime();
      if (!timedOut) return false;
    }
    Thread.interrupted();
    return true;
  }

  private SocketTimeoutException timeout() {
    return new SocketTimeoutException("no data for " + timeout.toSeconds() + " s (read timeout)");
  }

  @Override
  public void close() throws IOException {
    check.cancel(false);
    in.close();
  }
}
