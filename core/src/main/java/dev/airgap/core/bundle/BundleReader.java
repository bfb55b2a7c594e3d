package dev.airgap.core.bundle;

import dev.airgap.core.Digest;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import dev.airgap.core.OverlappedDigest;
import java.util.Map;
import java.util.SortedMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a bundle front to back, one pass: {@link #readHead()} returns the three head entries
 * without touching the blobs, {@link #readBlobs} then streams and verifies every blob against the
 * (already authenticated) list from the manifest. Every entry goes through {@link TarEntryGuard}.
 */
public final class BundleReader implements AutoCloseable {
  static final long DIRECT_READ_MIN_BYTES = 64L << 20;
  private final Path path;
  private final InputStream file;
  private final HeaderTapInputStream tap;
  private final TarArchiveInputStream tar;
  private BundleHead head;
  private int entriesRead;

  private BundleReader(Path path, InputStream file) {
    this.path = path;
    this.file = file;
    this.tap = new HeaderTapInputStream(file);
    this.tar = new TarArchiveInputStream(tap, "UTF-8");
  }

  public static BundleReader open(Path path) {
    try {
      // Large bundles bypass the page cache (see DirectFileInputStream); small ones are cheap to
      // read either way and are often still cached from being copied in.
      InputStream in = Files.size(path) >= DIRECT_READ_MIN_BYTES ? DirectFileInputStream.openOrNull(path) : null;
      if (in == null) in = new BufferedInputStream(Files.newInputStream(path), 1 << 20);
      return new BundleReader(path, in);
    } catch (NoSuchFileException e) {
      throw new EnvironmentException(path + ": no such file");
    } catch (IOException e) {
      throw EnvironmentException.io(path, e);
    }
  }

  public Path path() {
    return path;
  }

  /** Reads manifest, envelope and SBOM, each bounded in size; fails on anything else first. */
  public BundleHead readHead() {
    if (head != null) return head;
    byte[] manifest = readSmall(BundleLayout.MANIFEST, BundleLayout.MAX_MANIFEST_BYTES);
    byte[] envelope = readSmall(BundleLayout.ENVELOPE, BundleLayout.MAX_ENVELOPE_BYTES);
    byte[] sbom = readSmall(BundleLayout.SBOM, BundleLayout.MAX_SBOM_BYTES);
    head = new BundleHead(manifest, envelope, sbom);
    return head;
  }

  /**
   * Streams every blob to {@code sink}, verifying as it goes: each entry must be a regular file
   * named {@code blobs/sha256/<hex>}, listed in {@code expected} with that exact size, in ascending
   * order, once; its bytes must hash to its name; none may be missing; after the end-of-archive
   * marker only zero padding may follow. As before any digest check, the sink sees an entry's
   * bytes before they are known to match: it must not publish anything until this method returns.
   * Entries up to {@link SmallEntryVerifier#MAX_ENTRY_BYTES} are read whole and hashed on a few
   * threads beside the reading; the earliest entry that fails is the one reported.
   */
  public void readBlobs(SortedMap<String, Long> expected, BlobSink sink) {
    readBlobs(expected, sink, false);
  }

  /**
   * {@code hashInline}: hash large entries on the reading thread instead of on a second one beside
   * the reads. Inline suits a sink whose own work keeps a second core busy (a buffered writer that
   * copies into the page cache); a sink that only reads (verify) or writes with O_DIRECT (the
   * importer's staging: the writer thread mostly waits for the disk) gains from hashing beside the
   * reads — a cold 1 GiB import staged in 1.10–1.43 s overlapped against 1.21–1.65 s inline, four
   * interleaved runs each.
   */
  public void readBlobs(SortedMap<String, Long> expected, BlobSink sink, boolean hashInline) {
    readHead();
    String previous = "";
    java.util.Set<String> seenNames = new java.util.HashSet<>();
    SmallEntryVerifier small = null;
    try {
      TarArchiveEntry e;
      while ((e = nextEntry()) != null) {
        if (small != null && small.failed()) small.finish();
        String name = e.getName();
        String where = path + ": entry '" + TarEntryGuard.printable(name) + "'";
        if (!BundleLayout.BLOB_NAME.matcher(name).matches()) {
          if (name.equals(BundleLayout.MANIFEST) || name.equals(BundleLayout.ENVELOPE) || name.equals(BundleLayout.SBOM)) {
            throw IntegrityException.malformed(where, "duplicate entry");
          }
          throw IntegrityException.malformed(where, "not listed in the manifest (unexpected entry)");
        }
        String hex = name.substring(BundleLayout.BLOB_PREFIX.length());
        if (name.equals(previous)) throw IntegrityException.malformed(where, "duplicate entry");
        Long size = expected.get(hex);
        if (size == null) throw IntegrityException.malformed(where, "not listed in the manifest (unexpected entry)");
        if (name.compareTo(previous) < 0) throw IntegrityException.malformed(where, "blobs are not in ascending digest order");
        if (e.getSize() != size) throw IntegrityException.sizeMismatch(where, size, e.getSize());
        previous = name;
        seenNames.add(hex);
        Digest digest = Digest.ofHex(hex);
        if (size <= SmallEntryVerifier.MAX_ENTRY_BYTES) {
          byte[] bytes = tar.readNBytes(size.intValue());
          if (bytes.length != size) throw new EOFException("entry truncated");
          if (small == null) small = new SmallEntryVerifier();
          small.submit(where, digest, bytes);
          sink.acceptBytes(digest, bytes);
          continue;
        }
        VerifyingInputStream content = new VerifyingInputStream(tar, size, hashInline);
        try {
          sink.accept(digest, size, content);
          content.drain();
        } catch (IOException | RuntimeException failure) {
          content.abandon();
          throw failure;
        }
        if (content.count() != size) throw IntegrityException.sizeMismatch(where, size, content.count());
        Digest actual = content.digest();
        if (!actual.equals(digest)) throw IntegrityException.mismatch(where, digest, actual);
      }
      if (small != null) small.finish();
      if (seenNames.size() != expected.size()) {
        String missing = expected.keySet().stream().filter(h -> !seenNames.contains(h)).findFirst().orElse("?");
        throw IntegrityException.malformed(path.toString(), (expected.size() - seenNames.size()) + " blob(s) listed in the manifest are missing, e.g. " + BundleLayout.BLOB_PREFIX + missing);
      }
      checkTrailer();
    } catch (IOException e) {
      reportEarlierMismatch(small);
      throw translate(e);
    } catch (IntegrityException e) {
      reportEarlierMismatch(small);
      throw e;
    } finally {
      if (small != null) small.close();
    }
  }

  /** A problem found later in the archive must not hide a small entry before it that did not match. */
  private static void reportEarlierMismatch(SmallEntryVerifier small) {
    if (small == null) return;
    try {
      small.finish();
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Verifies blob bytes without keeping them. */
  public void verifyBlobs(SortedMap<String, Long> expected) {
    readBlobs(expected, BlobSink.discard());
  }

  private byte[] readSmall(String expectedName, long max) {
    try {
      TarArchiveEntry e = nextEntry();
      if (e == null) throw IntegrityException.malformed(path.toString(), "ends before entry '" + expectedName + "' (truncated or not a bundle)");
      if (!e.getName().equals(expectedName)) {
        throw IntegrityException.malformed(path + ": entry '" + TarEntryGuard.printable(e.getName()) + "'", "expected '" + expectedName + "' here (entries out of order or not a bundle)");
      }
      if (e.getSize() > max) throw IntegrityException.malformed(path + ": entry '" + expectedName + "'", "size " + e.getSize() + " exceeds the limit of " + max + " bytes");
      byte[] bytes = tar.readNBytes((int) e.getSize());
      if (bytes.length != e.getSize()) throw IntegrityException.malformed(path + ": entry '" + expectedName + "'", "truncated");
      return bytes;
    } catch (IOException e) {
      throw translate(e);
    }
  }

  private TarArchiveEntry nextEntry() throws IOException {
    tap.watchForNonZero();
    TarArchiveEntry e = tar.getNextEntry();
    long nonZero = tap.stopWatching();
    if (e == null) {
      if (entriesRead == 0) throw IntegrityException.malformed(path.toString(), "not a tar archive (no valid tar header at the start; truncated or not a bundle)");
      // Commons Compress skips the rest of the last record without looking at it.
      if (nonZero >= 0) throw IntegrityException.malformed(path.toString(), "trailing data after the end of the archive at byte " + nonZero);
      return null;
    }
    entriesRead++;
    TarEntryGuard.check(e, tap.lastBlock());
    return e;
  }

  /** After the end-of-archive marker, only zero bytes may follow (record padding). */
  private void checkTrailer() throws IOException {
    byte[] buf = new byte[1 << 16];
    int n;
    long offset = tap.count();
    while ((n = tap.read(buf)) > 0) {
      for (int i = 0; i < n; i++) {
        if (buf[i] != 0) throw IntegrityException.malformed(path.toString(), "trailing data after the end of the archive at byte " + (offset + i));
      }
      offset += n;
    }
  }

  private IntegrityException translate(IOException e) {
    if (e instanceof EOFException) return IntegrityException.malformed(path.toString(), "truncated archive", e);
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return IntegrityException.malformed(path.toString(), "malformed tar: " + msg, e);
  }

  @Override
  public void close() {
    try {
      file.close();
    } catch (IOException ignored) {
      // read-only; nothing to lose
    }
  }

  /** Hashes bytes as the sink reads them (large entries on a second thread), and never reads past the entry. */
  private static final class VerifyingInputStream extends InputStream {
    private final InputStream in;
    private final OverlappedDigest md;
    private final long size;
    private long count;

    VerifyingInputStream(InputStream in, long size, boolean hashInline) {
      this.in = in;
      this.size = size;
      this.md = hashInline ? OverlappedDigest.inline() : new OverlappedDigest(size);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (count >= size) return -1;
      int n = in.read(b, off, (int) Math.min(len, size - count));
      if (n > 0) {
        md.update(b, off, n);
        count += n;
      } else if (n < 0 && count < size) {
        throw new EOFException("entry truncated");
      }
      return n;
    }

    void drain() throws IOException {
      if (count >= size) return;
      byte[] buf = new byte[(int) Math.min(1 << 16, size - count)];
      while (read(buf, 0, buf.length) >= 0) {
        // keep hashing to the end of the entry
      }
    }

    long count() {
      return count;
    }

    Digest digest() {
      return md.digest();
    }

    @Override
    public void close() {
      // the tar stream stays open for the next entry
    }

    void abandon() {
      md.close();
    }
  }
}
