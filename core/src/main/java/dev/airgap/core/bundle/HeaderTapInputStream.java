package dev.airgap.core.bundle;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts bytes and remembers the last 512-byte block read, so the tar guard can look at the raw
 * ustar header of the entry Commons Compress just parsed (it applies PAX overrides silently).
 */
final class HeaderTapInputStream extends FilterInputStream {
  private final byte[] last = new byte[512];
  private int lastFill;
  private long count;
  private boolean watching;
  private long nonZeroAt = -1;

  HeaderTapInputStream(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      remember(new byte[] {(byte) b}, 0, 1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) remember(b, off, n);
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Route skips through read so the count and tap stay exact.
    byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) break;
      skipped += r;
    }
    return skipped;
  }

  private void remember(byte[] b, int off, int n) {
    if (watching && nonZeroAt < 0) {
      for (int i = 0; i < n; i++) {
        if (b[off + i] != 0) {
          nonZeroAt = count + i;
          break;
        }
      }
    }
    count += n;
    if (n >= 512) {
      System.arraycopy(b, off + n - 512, last, 0, 512);
      lastFill = 512;
    } else {
      int keep = Math.min(lastFill, 512 - n);
      System.arraycopy(last, lastFill - keep, last, 0, keep);
      System.arraycopy(b, off, last, keep, n);
      lastFill = keep + n;
    }
  }

  /**
   * Starts noting the first non-zero byte read from here on. Set before asking for the next header:
   * if the archive ends there, everything the tar reader consumed (end marker and the record
   * padding it skips) must have been zero.
   */
  void watchForNonZero() {
    watching = true;
    nonZeroAt = -1;
  }

  /** Stops watching and returns the offset of the first non-zero byte seen, or -1. */
  long stopWatching() {
    watching = false;
    return nonZeroAt;
  }

  long count() {
    return count;
  }

  /** The last 512 bytes read, or null when fewer were read. */
  byte[] lastBlock() {
    return lastFill == 512 ? last.clone() : null;
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
