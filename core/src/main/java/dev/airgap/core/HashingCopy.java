package dev.airgap.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Copies a stream while hashing it, in constant memory. The caller opens and closes both streams. */
public final class HashingCopy {
  public static final int BUFFER_SIZE = 1 << 18;

  /** Size and digest of the bytes that went through a copy. */
  public record Result(long size, Digest digest) {}

  private HashingCopy() {}

  public static Result copy(InputStream in, OutputStream out) throws IOException {
    MessageDigest md = Digest.newMessageDigest();
    byte[] buf = new byte[BUFFER_SIZE];
    long total = 0;
    int n;
    while ((n = in.read(buf)) != -1) {
      md.update(buf, 0, n);
      out.write(buf, 0, n);
      total += n;
    }
    return new Result(total, Digest.fromRaw(md.digest()));
  }

  /** Hashes a stream without copying it anywhere. */
  public static Result hash(InputStream in) throws IOException {
    return copy(in, OutputStream.nullOutputStream());
  }
}
