package dev.airgap.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Copies a stream while hashing it, in constant memory. The caller opens and closes both streams. */
public final class HashingCopy {
  public static final int BUFFER_SIZE = 1 << 18;

  /** Size and digest of the bytes that went through a copy. */
  public record Result(long size, Digest digest) {}

  private HashingCopy() {}

  public static Result copy(InputStream in, OutputStream out) throws IOException {
    return copy(in, out, 0);
  }

  /**
   * As {@link #copy(InputStream, OutputStream)}; with the expected size known, large inputs are
   * hashed on a second thread while this one reads and writes ({@link OverlappedDigest}).
   */
  /**
   * As {@link #copy(InputStream, OutputStream, long)}, but reads at most one byte more than
   * {@code expectedSize}: enough for the caller to see that a source (an upstream server, say) sent
   * too much, without letting it fill the disk.
   */
  public static Result copyAtMostOneMore(InputStream in, OutputStream out, long expectedSize) throws IOException {
    InputStream bounded = org.apache.commons.io.input.BoundedInputStream.builder()
        .setInputStream(in).setMaxCount(expectedSize + 1).setPropagateClose(false).get();
    return copy(bounded, out, expectedSize);
  }

  public static Result copy(InputStream in, OutputStream out, long expectedSize) throws IOException {
    byte[] buf = new byte[(int) Math.min(BUFFER_SIZE, Math.max(8192, expectedSize))];
    long total = 0;
    int n;
    try (OverlappedDigest md = new OverlappedDigest(expectedSize)) {
      while ((n = in.read(buf)) != -1) {
        md.update(buf, 0, n);
        out.write(buf, 0, n);
        total += n;
      }
      return new Result(total, md.digest());
    }
  }

  /** Hashes a stream without copying it anywhere. */
  public static Result hash(InputStream in) throws IOException {
    return copy(in, OutputStream.nullOutputStream());
  }

  /** Hashes a stream of about {@code expectedSize} bytes, overlapping reading and hashing when large. */
  public static Result hash(InputStream in, long expectedSize) throws IOException {
    return copy(in, OutputStream.nullOutputStream(), expectedSize);
  }
}
