package dev.airgap.exporter.source.oci;

import dev.airgap.core.Digest;
import dev.airgap.core.HashingCopy;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Streams content into the export's work directory, verifying digest and size before it is kept. */
final class VerifiedFiles {
  private VerifiedFiles() {}

  /** The work-directory file for a blob; it exists only once its content has been verified. */
  static Path blobFile(Path workDir, Digest digest) {
    return workDir.resolve("oci-blobs").resolve(digest.hex());
  }

  /**
   * Copies {@code in} to the blob's file: into a temp file beside it, hashing while copying, then
   * renamed into place only when digest and size (when known, {@code size >= 0}) match.
   */
  static Path store(InputStream in, Digest digest, long size, Path workDir, String origin) {
    Path target = blobFile(workDir, digest);
    if (Files.exists(target)) return target;
    Path temp = null;
    try {
      Files.createDirectories(target.getParent());
      temp = Files.createTempFile(target.getParent(), "." + digest.hex(), ".part");
      HashingCopy.Result r;
      try (OutputStream out = Files.newOutputStream(temp)) {
        r = size >= 0 ? HashingCopy.copyAtMostOneMore(in, out, size) : HashingCopy.copy(in, out, 0);
      }
      if (!r.digest().equals(digest)) throw IntegrityException.mismatch(origin, digest, r.digest());
      if (size >= 0 && r.size() != size) throw IntegrityException.sizeMismatch(origin + " (" + digest + ")", size, r.size());
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      temp = null;
      return target;
    } catch (IOException e) {
      throw EnvironmentException.io(origin, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // the work directory is removed when the export ends
        }
      }
    }
  }

  /** Writes small generated content (a rewritten index, a built manifest) as a blob file. */
  static Path storeBytes(byte[] bytes, Path workDir) {
    Digest d = Digest.of(bytes);
    return store(new java.io.ByteArrayInputStream(bytes), d, bytes.length, workDir, "generated " + d);
  }

}
