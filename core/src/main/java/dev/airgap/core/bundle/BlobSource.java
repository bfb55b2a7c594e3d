package dev.airgap.core.bundle;

import dev.airgap.core.Digest;
import java.io.IOException;
import java.io.InputStream;

/** Where the bytes of one blob come from when a bundle is written; the caller closes the stream. */
public interface BlobSource {
  Digest digest();

  long size();

  /** Human-readable origin (a file path or URL) for error messages. */
  String origin();

  InputStream open() throws IOException;

  /**
   * Names the source in a digest or size mismatch found while the bundle is written: a local file
   * was hashed before and so must have changed; a source streamed from its origin (a registry)
   * says so itself.
   */
  default String mismatchContext() {
    return origin() + " (changed while exporting)";
  }

  static BlobSource ofFile(java.nio.file.Path file, Digest digest, long size) {
    return new BlobSource() {
      @Override public Digest digest() { return digest; }
      @Override public long size() { return size; }
      @Override public String origin() { return file.toString(); }
      @Override public InputStream open() throws IOException { return java.nio.file.Files.newInputStream(file); }
    };
  }
}
