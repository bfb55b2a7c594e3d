package dev.airgap.core.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.Digest;
import dev.airgap.core.error.IntegrityException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle reader and its entry guard against well-formed and hostile archives. */
class BundleReaderTest {
  @TempDir Path tmp;

  private static final byte[] A = "alpha\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] B = "bravo\n".getBytes(StandardCharsets.UTF_8);
  private static final BundleHead HEAD = new BundleHead("{}".getBytes(), "{\"e\":1}".getBytes(), "{\"s\":1}".getBytes());

  private SortedMap<String, Long> expected() {
    SortedMap<String, Long> m = new TreeMap<>();
    m.put(Digest.of(A).hex(), (long) A.length);
    m.put(Digest.of(B).hex(), (long) B.length);
    return m;
  }

  private Path writeGood() {
    Path out = tmp.resolve("good.bundle");
    try (BundleWriter w = BundleWriter.create(out, Instant.ofEpochSecond(1_700_000_000))) {
      w.writeHead(HEAD);
      List<byte[]> blobs = new ArrayList<>(List.of(A, B));
      blobs.sort((x, y) -> Digest.of(x).hex().compareTo(Digest.of(y).hex()));
      for (byte[] b : blobs) w.writeBlob(bytesSource(b));
      w.commit();
    }
    return out;
  }

  private static BlobSource bytesSource(byte[] b) {
    return new BlobSource() {
      @Override public Digest digest() { return Digest.of(b); }
      @Override public long size() { return b.length; }
      @Override public String origin() { return "memory"; }
      @Override public java.io.InputStream open() { return new java.io.ByteArrayInputStream(b); }
    };
  }

  @Test
  void roundTripsHeadAndBlobs() {
    Path bundle = writeGood();
    try (BundleReader r = BundleReader.open(bundle)) {
      BundleHead h = r.readHead();
      assertArrayEquals(HEAD.manifestBytes(), h.manifestBytes());
      assertArrayEquals(HEAD.envelopeBytes(), h.envelopeBytes());
      assertArrayEquals(HEAD.sbomBytes(), h.sbomBytes());
      List<String> seen = new ArrayList<>();
      r.readBlobs(expected(), (d, size, in) -> {
        seen.add(d.hex());
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        in.transferTo(bos);
        assertEquals(size, bos.size());
      });
      assertEquals(new ArrayList<>(expected().keySet()), seen);
    }
  }

  @Test
  void writerIsReproducible() throws IOException {
    Path one = writeGood();
    byte[] first = Files.readAllBytes(one);
    Files.delete(one);
    assertArrayEquals(first, Files.readAllBytes(writeGood()));
  }

  @Test
  void writerRefusesASourceThatChangedSinceHashing() {
    Path out = tmp.resolve("changed.bundle");
    try (BundleWriter w = BundleWriter.create(out, Instant.EPOCH)) {
      w.writeHead(HEAD);
      BlobSource lying = new BlobSource() {
        @Override public Digest digest() { return Digest.of(A); }
        @Override public long size() { return A.length; }
        @Override public String origin() { return "/data/a.txt"; }
        @Override public java.io.InputStream open() { return new java.io.ByteArrayInputStream(B); }
      };
      IntegrityException e = assertThrows(IntegrityException.class, () -> w.writeBlob(lying));
      assertTrue(e.getMessage().contains("/data/a.txt") && e.getMessage().contains("changed while exporting"), e.getMessage());
    }
    assertTrue(!Files.exists(out), "no bundle left behind");
    assertTrue(!Files.exists(tmp.resolve(".changed.bundle.partial")), "no temp file left behind");
  }

  /** Writes the three head entries, then lets the case add whatever it wants. */
  private Path forge(String name, Consumer<TarArchiveOutputStream> body) throws IOException {
    Path out = tmp.resolve(name);
    try (OutputStream os = Files.newOutputStream(out); TarArchiveOutputStream tar = new TarArchiveOutputStream(os, "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      file(tar, BundleLayout.MANIFEST, HEAD.manifestBytes());
      file(tar, BundleLayout.ENVELOPE, HEAD.envelopeBytes());
      file(tar, BundleLayout.SBOM, HEAD.sbomBytes());
      body.accept(tar);
      tar.finish();
    }
    return out;
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] content) {
    try {
      TarArchiveEntry e = new TarArchiveEntry(name, true);
      e.setSize(content.length);
      tar.putArchiveEntry(e);
      tar.write(content);
      tar.closeArchiveEntry();
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  private static void special(TarArchiveOutputStream tar, String name, byte flag, String link) {
    try {
      TarArchiveEntry e = new TarArchiveEntry(name, flag, true);
      if (link != null) e.setLinkName(link);
      tar.putArchiveEntry(e);
      tar.closeArchiveEntry();
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  private void assertRejected(Path bundle, String... words) {
    try (BundleReader r = BundleReader.open(bundle)) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> r.verifyBlobs(expected()));
      for (String w : words) assertTrue(e.getMessage().contains(w), () -> "'" + w + "' not in: " + e.getMessage());
      assertEquals(3, e.exitCode());
    }
  }

  private String blobName(byte[] b) {
    return BundleLayout.blobEntry(Digest.of(b));
  }

  private void inOrder(TarArchiveOutputStream tar) {
    List<byte[]> blobs = new ArrayList<>(List.of(A, B));
    blobs.sort((x, y) -> Digest.of(x).hex().compareTo(Digest.of(y).hex()));
    for (byte[] b : blobs) file(tar, blobName(b), b);
  }

  @Test
  void rejectsFlippedByte() throws IOException {
    byte[] flipped = A.clone();
    flipped[0] ^= 1;
    Path p = forge("flip", tar -> {
      List<byte[]> blobs = new ArrayList<>(List.of(A, B));
      blobs.sort((x, y) -> Digest.of(x).hex().compareTo(Digest.of(y).hex()));
      for (byte[] b : blobs) file(tar, blobName(b), b == A ? flipped : b);
    });
    assertRejected(p, blobName(A), "digest mismatch");
  }

  @Test
  void aMismatchEarlierInTheArchiveIsReportedBeforeALaterStructuralProblem() throws IOException {
    // Small entries are hashed on other threads: the reader must still name the first bad entry.
    byte[] first = Digest.of(A).hex().compareTo(Digest.of(B).hex()) < 0 ? A : B;
    byte[] flipped = first.clone();
    flipped[0] ^= 1;
    Path p = forge("flip-then-extra", tar -> {
      file(tar, blobName(first), flipped);
      file(tar, "notes.txt", A);
    });
    assertRejected(p, blobName(first), "digest mismatch");
  }

  @Test
  void verifiesEntriesAboveTheSmallEntrySizeInline() throws IOException {
    byte[] big = new byte[SmallEntryVerifier.MAX_ENTRY_BYTES + 1];
    for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 7);
    Digest bigDigest = Digest.of(big);
    byte[] corrupt = big.clone();
    corrupt[big.length - 1] ^= 1;
    SortedMap<String, Long> expected = new TreeMap<>(java.util.Map.of(bigDigest.hex(), (long) big.length));
    for (byte[] content : List.of(big, corrupt)) {
      Path p = forge("big-" + (content == big), tar -> file(tar, BundleLayout.blobEntry(bigDigest), content));
      try (BundleReader r = BundleReader.open(p)) {
        if (content == big) {
          long[] seen = {0};
          r.readBlobs(expected, (d, size, in) -> seen[0] = in.transferTo(OutputStream.nullOutputStream()), true);
          assertEquals(big.length, seen[0]);
        } else {
          IntegrityException e = assertThrows(IntegrityException.class, () -> r.readBlobs(expected, BlobSink.discard(), true));
          assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
        }
      }
    }
  }

  @Test
  void largeBundlesAreReadDirectAndStillVerified() throws IOException {
    // Above DIRECT_READ_MIN_BYTES the reader bypasses the page cache (where the file system allows).
    byte[] big = new byte[(int) BundleReader.DIRECT_READ_MIN_BYTES + 4321];
    new java.util.Random(3).nextBytes(big);
    Digest d = Digest.of(big);
    SortedMap<String, Long> expected = new TreeMap<>(java.util.Map.of(d.hex(), (long) big.length));
    Path good = forge("direct-good", tar -> file(tar, BundleLayout.blobEntry(d), big));
    try (BundleReader r = BundleReader.open(good)) {
      java.security.MessageDigest md = Digest.newMessageDigest();
      r.readBlobs(expected, (digest, size, in) -> {
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
      });
      assertEquals(d, Digest.fromRaw(md.digest()));
    }
    big[big.length - 1] ^= 1;
    Path bad = forge("direct-bad", tar -> file(tar, BundleLayout.blobEntry(d), big));
    try (BundleReader r = BundleReader.open(bad)) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> r.verifyBlobs(expected));
      assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
    }
  }

  @Test
  void manySmallEntriesAreAllChecked() throws IOException {
    List<byte[]> blobs = new ArrayList<>();
    for (int i = 0; i < 300; i++) blobs.add(("blob " + i + "\n").repeat(i + 1).getBytes(StandardCharsets.UTF_8));
    blobs.sort((x, y) -> Digest.of(x).hex().compareTo(Digest.of(y).hex()));
    SortedMap<String, Long> expected = new TreeMap<>();
    for (byte[] b : blobs) expected.put(Digest.of(b).hex(), (long) b.length);
    int bad = 217;
    Path good = forge("many", tar -> blobs.forEach(b -> file(tar, blobName(b), b)));
    Path corrupt = forge("many-bad", tar -> {
      for (int i = 0; i < blobs.size(); i++) {
        byte[] b = blobs.get(i).clone();
        if (i == bad) b[b.length / 2] ^= 1;
        file(tar, blobName(blobs.get(i)), b);
      }
    });
    try (BundleReader r = BundleReader.open(good)) {
      List<String> seen = new ArrayList<>();
      r.readBlobs(expected, (d, size, in) -> {
        seen.add(d.hex());
        assertEquals(size, in.transferTo(OutputStream.nullOutputStream()));
      });
      assertEquals(new ArrayList<>(expected.keySet()), seen);
    }
    try (BundleReader r = BundleReader.open(corrupt)) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> r.verifyBlobs(expected));
      assertTrue(e.getMessage().contains(blobName(blobs.get(bad))) && e.getMessage().contains("digest mismatch"), e.getMessage());
    }
  }

  @Test
  void rejectsMissingBlob() throws IOException {
    assertRejected(forge("missing", tar -> file(tar, blobName(A), A)), "missing");
  }

  @Test
  void rejectsUnlistedAndDuplicateEntries() throws IOException {
    assertRejected(forge("extra", tar -> {
      inOrder(tar);
      file(tar, "blobs/sha256/" + "f".repeat(64), new byte[1]);
    }), "not listed");
    assertRejected(forge("dup", tar -> {
      inOrder(tar);
      String last = Digest.of(A).hex().compareTo(Digest.of(B).hex()) > 0 ? blobName(A) : blobName(B);
      file(tar, last, last.equals(blobName(A)) ? A : B);
    }), "duplicate");
    assertRejected(forge("dup-head", tar -> file(tar, BundleLayout.MANIFEST, HEAD.manifestBytes())), "duplicate");
  }

  @Test
  void rejectsOutOfOrderBlobs() throws IOException {
    assertRejected(forge("order", tar -> {
      List<byte[]> blobs = new ArrayList<>(List.of(A, B));
      blobs.sort((x, y) -> Digest.of(y).hex().compareTo(Digest.of(x).hex()));
      for (byte[] b : blobs) file(tar, blobName(b), b);
    }), "ascending");
  }

  @Test
  void rejectsTraversalAndAbsoluteNames() throws IOException {
    assertRejected(forge("dotdot", tar -> file(tar, "../evil", A)), "../evil", "unsafe path");
    assertRejected(forge("abs", tar -> file(tar, "/etc/passwd", A)), "/etc/passwd");
  }

  @Test
  void rejectsRightToLeftOverrideInEntryNameAndNamesItEscaped() throws IOException {
    Path bundle = forge("rlo", tar -> file(tar, "docs/evil\u202Etxt.exe", A));
    assertRejected(bundle, "bundle entry 'docs/evil\\u202Etxt.exe'", "unsafe path: invisible format character U+202E");
    try (BundleReader r = BundleReader.open(bundle)) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> r.verifyBlobs(expected()));
      assertTrue(e.getMessage().indexOf('\u202E') < 0, e.getMessage());
    }
  }

  @Test
  void rejectsLinksDevicesDirectoriesAndFifos() throws IOException {
    assertRejected(forge("symlink", tar -> special(tar, blobName(A), TarConstants.LF_SYMLINK, "/etc/passwd")), "link");
    assertRejected(forge("hardlink", tar -> special(tar, blobName(A), TarConstants.LF_LINK, BundleLayout.MANIFEST)), "link");
    assertRejected(forge("chr", tar -> special(tar, blobName(A), TarConstants.LF_CHR, null)), "device");
    assertRejected(forge("dir", tar -> special(tar, "blobs/", TarConstants.LF_DIR, null)), "directory");
    assertRejected(forge("fifo", tar -> special(tar, blobName(A), TarConstants.LF_FIFO, null)), "FIFO");
  }

  @Test
  void rejectsTrailingGarbageButAcceptsZeroPadding() throws IOException {
    Path good = writeGood();
    Files.write(good, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
    try (BundleReader r = BundleReader.open(good)) {
      r.verifyBlobs(expected());
    }
    Path bad = writeGood();
    Files.write(bad, "hidden payload".getBytes(), java.nio.file.StandardOpenOption.APPEND);
    assertRejected(bad, "trailing data");
  }

  @Test
  void rejectsTruncatedBundle() throws IOException {
    Path good = writeGood();
    byte[] all = Files.readAllBytes(good);
    Path cut = tmp.resolve("cut.bundle");
    Files.write(cut, java.util.Arrays.copyOf(all, 512 * 7 + 100));
    try (BundleReader r = BundleReader.open(cut)) {
      assertThrows(IntegrityException.class, () -> r.verifyBlobs(expected()));
    }
  }

  @Test
  void rejectsPaxSizeThatDisagreesWithUstarHeader() throws IOException {
    // A PAX 'size' record that says 6 while the ustar header (checksum kept valid) says 2.
    Path pax = forge("pax", tar -> {
      try {
        byte[] record = "10 size=6\n".getBytes(StandardCharsets.US_ASCII);
        TarArchiveEntry x = new TarArchiveEntry("PaxHeaders/blob", TarConstants.LF_PAX_EXTENDED_HEADER_LC, true);
        x.setSize(record.length);
        tar.putArchiveEntry(x);
        tar.write(record);
        tar.closeArchiveEntry();
        TarArchiveEntry e = new TarArchiveEntry(blobName(A), true);
        e.setSize(A.length);
        tar.putArchiveEntry(e);
        tar.write(A);
        tar.closeArchiveEntry();
      } catch (IOException ex) {
        throw new java.io.UncheckedIOException(ex);
      }
    });
    byte[] bytes = Files.readAllBytes(pax);
    // Locate the ustar header of the blob (after its PAX header) and change its size field.
    String name = blobName(A);
    int at = indexOf(bytes, name.getBytes(StandardCharsets.US_ASCII), 512 * 6);
    while (at >= 0 && bytes[at + 156] != '0') at = indexOf(bytes, name.getBytes(StandardCharsets.US_ASCII), at + 1);
    assertTrue(at >= 0, "blob header found");
    byte[] size = String.format("%011o ", 2).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(size, 0, bytes, at + 124, 12);
    fixChecksum(bytes, at);
    Files.write(pax, bytes);
    assertRejected(pax, "PAX size", "ustar");
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  private static void fixChecksum(byte[] b, int header) {
    for (int i = 148; i < 156; i++) b[header + i] = ' ';
    long sum = 0;
    for (int i = 0; i < 512; i++) sum += b[header + i] & 0xff;
    byte[] cs = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(cs, 0, b, header + 148, 8);
  }

  @Test
  void rejectsWrongHeadOrderAndOversizedHead() throws IOException {
    Path p = tmp.resolve("order-head");
    try (OutputStream os = Files.newOutputStream(p); TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
      file(tar, BundleLayout.ENVELOPE, HEAD.envelopeBytes());
      tar.finish();
    }
    try (BundleReader r = BundleReader.open(p)) {
      IntegrityException e = assertThrows(IntegrityException.class, r::readHead);
      assertTrue(e.getMessage().contains("expected 'manifest.json'"), e.getMessage());
    }
    Path notTar = tmp.resolve("not-a-tar");
    Files.writeString(notTar, "hello, this is not a tar archive at all".repeat(40));
    try (BundleReader r = BundleReader.open(notTar)) {
      assertThrows(IntegrityException.class, r::readHead);
    }
  }
}
