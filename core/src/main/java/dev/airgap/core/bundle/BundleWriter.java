package dev.airgap.core.bundle;

import dev.airgap.core.Digest;
import dev.airgap.core.HashingCopy;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a bundle (docs/bundle-format.md): head entries, then blobs in ascending digest order, into
 * a temp file beside the target that {@link #commit()} fsyncs and renames into place. Closing
 * without committing deletes the temp file.
 */
public final class BundleWriter implements AutoCloseable {
  private final Path target;
  private final Path temp;
  private final DirectFileOutputStream out;
  private final TarArchiveOutputStream tar;
  private final long mtimeSeconds;
  private String lastBlob = "";
  private boolean headWritten;
  private boolean committed;

  private BundleWriter(Path target, Path temp, DirectFileOutputStream out, TarArchiveOutputStream tar, long mtimeSeconds) {
    this.target = target;
    this.temp = temp;
    this.out = out;
    this.tar = tar;
    this.mtimeSeconds = mtimeSeconds;
  }

  /** Opens a writer whose entries all carry {@code mtime} (whole seconds, for reproducible bytes). */
  public static BundleWriter create(Path target, Instant mtime) {
    Path abs = target.toAbsolutePath();
    Path temp = abs.resolveSibling("." + abs.getFileName() + ".partial");
    try {
      Files.createDirectories(abs.getParent());
      DirectFileOutputStream out = DirectFileOutputStream.create(temp);
      TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8");
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      return new BundleWriter(abs, temp, out, tar, mtime.getEpochSecond());
    } catch (IOException e) {
      throw EnvironmentException.io(temp, e);
    }
  }

  public void writeHead(BundleHead head) {
    if (headWritten) throw new IllegalStateException("head already written");
    writeSmall(BundleLayout.MANIFEST, head.manifestBytes());
    writeSmall(BundleLayout.ENVELOPE, head.envelopeBytes());
    writeSmall(BundleLayout.SBOM, head.sbomBytes());
    headWritten = true;
  }

  /**
   * Copies one blob, hashing as it goes; the bytes must match the digest and size recorded when
   * the manifest was made (a source that changed since, or a streamed source whose bytes do not
   * match, is an {@link IntegrityException}; the bundle is then never committed).
   */
  public void writeBlob(BlobSource source) {
    if (!headWritten) throw new IllegalStateException("head first");
    String name = BundleLayout.blobEntry(source.digest());
    if (name.compareTo(lastBlob) <= 0) throw new IllegalStateException("blobs must be written once each, in ascending digest order");
    lastBlob = name;
    try (InputStream in = source.open()) {
      putEntry(name, source.size());
      LimitedOutput limited = new LimitedOutput(tar, source.size(), source.origin());
      HashingCopy.Result r = HashingCopy.copy(in, limited, source.size());
      if (r.size() != source.size()) throw IntegrityException.sizeMismatch(source.mismatchContext(), source.size(), r.size());
      if (!r.digest().equals(source.digest())) throw IntegrityException.mismatch(source.mismatchContext(), source.digest(), r.digest());
      tar.closeArchiveEntry();
    } catch (IOException e) {
      throw EnvironmentException.io(source.origin(), e);
    }
  }

  /** Finishes the archive, fsyncs it and renames it onto the target in one step. */
  public Path commit() {
    try {
      tar.finish();
      tar.flush();
      out.finishAndSync();
      tar.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      committed = true;
      return target;
    } catch (IOException e) {
      throw EnvironmentException.io(target, e);
    }
  }

  @Override
  public void close() {
    if (committed) return;
    try {
      tar.close();
    } catch (IOException | RuntimeException ignored) {
      // the temp file is being discarded anyway
    }
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // best effort; a later export truncates it
    }
  }

  private void writeSmall(String name, byte[] bytes) {
    try {
      putEntry(name, bytes.length);
      new ByteArrayInputStream(bytes).transferTo(tar);
      tar.closeArchiveEntry();
    } catch (IOException e) {
      throw EnvironmentException.io(temp, e);
    }
  }

  private void putEntry(String name, long size) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setSize(size);
    e.setMode(BundleLayout.ENTRY_MODE);
    e.setModTime(mtimeSeconds * 1000L);
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("");
    e.setGroupName("");
    tar.putArchiveEntry(e);
  }

  /** Refuses to write past the declared entry size, so a growing source fails with a clear message. */
  private static final class LimitedOutput extends OutputStream {
    private final OutputStream out;
    private long remaining;

    private final String origin;

    LimitedOutput(OutputStream out, long limit, String origin) {
      this.out = out;
      this.origin = origin;
      this.remaining = limit;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > remaining) throw IntegrityException.malformed(origin, "grew beyond its recorded size while exporting");
      out.write(b, off, len);
      remaining -= len;
    }
  }
}
