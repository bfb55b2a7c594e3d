package dev.airgap.core.bundle;

import dev.airgap.core.Digest;
import java.io.IOException;
import java.io.InputStream;

/**
 * Receives each blob's bytes while the reader verifies them. The reader checks the digest after
 * the sink returns, so a sink must treat what it wrote as unverified until
 * {@link BundleReader#readBlobs} returns normally.
 */
@FunctionalInterface
public interface BlobSink {
  void accept(Digest expected, long size, InputStream content) throws IOException;

  /**
   * A small entry, already read whole (it is hashed beside the reading, see
   * {@link BundleReader#readBlobs}): a sink that needs the bytes in memory anyway takes the array
   * as it is instead of copying it out of a stream. Never modify it. The default streams it to
   * {@link #accept}.
   */
  default void acceptBytes(Digest expected, byte[] content) throws IOException {
    accept(expected, content.length, new java.io.ByteArrayInputStream(content));
  }

  /** A sink that only reads (for a full verify that writes nothing). */
  static BlobSink discard() {
    return (d, size, in) -> in.transferTo(java.io.OutputStream.nullOutputStream());
  }
}
