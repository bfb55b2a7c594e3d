package dev.airgap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Digest;
import dev.airgap.core.HashingCopy;
import dev.airgap.core.Json;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.bundle.BundleLayout;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.manifest.Producer;
import dev.airgap.core.manifest.SbomRef;
import dev.airgap.sbom.SbomGenerator;
import dev.airgap.signing.DsseEnvelope;
import dev.airgap.signing.Ed25519Keys;
import dev.airgap.signing.GeneratedKey;
import dev.airgap.signing.SigningKey;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Test-only bundle writer that can produce what the real exporter never would: any manifest field
 * (including unsafe and colliding logical paths), any signers or none, bytes tampered after
 * signing, and full control over the tar stream (extra, duplicate, reordered, link, device,
 * directory and hostile-named entries, wrong blob content, a PAX {@code size} that disagrees with the
 * ustar header, trailing garbage, truncation).
 *
 * <p>The manifest is built as {@link Manifest} records and serialised with the strict mapper exactly
 * as {@code ManifestCodec.encode} does; the SBOM comes from {@link SbomGenerator#generate} and its
 * digest goes into the manifest, as in {@code Exporter}. Logical paths that {@link LogicalPath}
 * refuses are carried by placeholders and written into the manifest JSON afterwards (the SBOM keeps
 * the placeholder: the importer rejects such a manifest before it looks at the SBOM).
 *
 * <p>The default tar stream is what a correct exporter writes: the three head entries, then one
 * entry per distinct blob in ascending digest order. {@link #entries} edits that list before it is
 * written.
 */
final class BundleForge {
  /** One file of the manifest: a logical path (any string) and where its bytes come from. */
  record ForgedFile(String path, Content content, String mediaType) {}

  /** One artifact of the manifest. */
  record ForgedArtifact(String type, String name, String version, String purl, Map<String, String> properties, List<ForgedFile> files) {}

  /** Bytes of a blob or entry, streamed so big bundles never sit in memory. */
  interface Content {
    long size();

    InputStream open() throws IOException;

    static Content of(byte[] bytes) {
      byte[] copy = bytes.clone();
      return new Content() {
        @Override public long size() { return copy.length; }
        @Override public InputStream open() { return new ByteArrayInputStream(copy); }
      };
    }

    static Content of(String text) {
      return of(text.getBytes(StandardCharsets.UTF_8));
    }

    static Content of(Path file) {
      return new Content() {
        @Override public long size() {
          try {
            return Files.size(file);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }

        @Override public InputStream open() throws IOException { return Files.newInputStream(file); }
      };
    }

    /** A file whose size and digest are declared but whose bytes do not exist (never written). */
    static Content declaredOnly(long size, Digest digest) {
      return new Content() {
        @Override public long size() { return size; }
        @Override public InputStream open() { throw new UnsupportedOperationException("declared-only content has no bytes"); }
        @Override public Digest knownDigest() { return digest; }
      };
    }

    /** A digest the forge should use instead of hashing (declared-only content). */
    default Digest knownDigest() {
      return null;
    }

    /** The same bytes with the byte at {@code offset} inverted. */
    default Content flipByteAt(long offset) {
      Content base = this;
      return new Content() {
        @Override public long size() { return base.size(); }

        @Override public InputStream open() throws IOException {
          return new FilterInputStream(base.open()) {
            long pos;

            @Override public int read() throws IOException {
              int b = super.read();
              if (b >= 0 && pos++ == offset) b ^= 0xff;
              return b;
            }

            @Override public int read(byte[] buf, int off, int len) throws IOException {
              int n = super.read(buf, off, len);
              if (n > 0) {
                if (offset >= pos && offset < pos + n) buf[off + (int) (offset - pos)] ^= (byte) 0xff;
                pos += n;
              }
              return n;
            }
          };
        }
      };
    }

    default Digest digest() {
      if (knownDigest() != null) return knownDigest();
      try (InputStream in = open()) {
        return HashingCopy.hash(in).digest();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * One tar entry as the forge will write it. Mutable so a test can edit the default list.
   * {@code ustarSize} or {@code pax} records make the forge write this entry's headers by hand: a
   * PAX header with those records (plus the real size when {@code ustarSize} is set), then a ustar
   * header whose size field is {@code ustarSize} (or the real size).
   */
  static final class TarItem {
    String name;
    byte type = TarConstants.LF_NORMAL;
    Content content;
    String linkName = "";
    int devMajor;
    int devMinor;
    Long ustarSize;
    /** PAX records written by hand before this entry's ustar header (any keyword, e.g. {@code path}). */
    final Map<String, String> pax = new LinkedHashMap<>();
    boolean preserveAbsolutePath = true;

    TarItem(String name, Content content) {
      this.name = name;
      this.content = content;
    }

    static TarItem file(String name, byte[] bytes) {
      return new TarItem(name, Content.of(bytes));
    }

    static TarItem special(String name, byte type) {
      TarItem t = new TarItem(name, Content.of(new byte[0]));
      t.type = type;
      return t;
    }

    static TarItem symlink(String name, String target) {
      TarItem t = special(name, TarConstants.LF_SYMLINK);
      t.linkName = target;
      return t;
    }

    static TarItem hardlink(String name, String target) {
      TarItem t = special(name, TarConstants.LF_LINK);
      t.linkName = target;
      return t;
    }

    static TarItem charDevice(String name, int major, int minor) {
      TarItem t = special(name, TarConstants.LF_CHR);
      t.devMajor = major;
      t.devMinor = minor;
      return t;
    }

    TarItem copy() {
      TarItem t = new TarItem(name, content);
      t.type = type;
      t.linkName = linkName;
      t.devMajor = devMajor;
      t.devMinor = devMinor;
      t.ustarSize = ustarSize;
      t.pax.putAll(pax);
      t.preserveAbsolutePath = preserveAbsolutePath;
      return t;
    }

    @Override
    public String toString() {
      return "TarItem[" + name + ", type " + (char) type + "]";
    }
  }

  /** What was written, for assertions: the bundle, its manifest and where each entry starts. */
  record Forged(Path path, byte[] manifestBytes, Digest manifestDigest, String bundleId, long sequence,
      List<String> blobNames, Map<String, Long> dataOffsets, long endOfArchive) {
    /** Entry name of the blob holding {@code content}. */
    static String blobName(byte[] content) {
      return BundleLayout.BLOB_PREFIX + Digest.of(content).hex();
    }

    /** Cuts the file to {@code length} bytes. */
    Forged truncate(long length) throws IOException {
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
        ch.truncate(length);
      }
      return this;
    }

    long size() throws IOException {
      return Files.size(path);
    }
  }

  private String bundleId = UUID.randomUUID().toString();
  private String channel = "lab";
  private long sequence = 1;
  private Instant created = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
  private Instant expires = created.plus(Duration.ofDays(7));
  private Producer producer = new Producer("airgap", Main.VERSION, "forge");
  private final List<ForgedArtifact> artifacts = new ArrayList<>();
  private final List<SigningKey> signers = new ArrayList<>();
  private final List<Consumer<ObjectNode>> manifestEdits = new ArrayList<>();
  private UnaryOperator<byte[]> manifestEntryEdit = UnaryOperator.identity();
  private UnaryOperator<byte[]> sbomEntryEdit = UnaryOperator.identity();
  private UnaryOperator<byte[]> envelopeEntryEdit = UnaryOperator.identity();
  private final List<Consumer<List<TarItem>>> entryEdits = new ArrayList<>();
  private byte[] trailing = new byte[0];
  private int recordPadding = 512;

  BundleForge() {}

  /** Generates {@code dir/name.key} and {@code dir/name.pub} and loads the private key. */
  static SigningKey newKey(Path dir, String name) {
    GeneratedKey k = Ed25519Keys.generate(dir, name);
    return SigningKey.load(k.privateKey());
  }

  BundleForge bundleId(String id) {
    this.bundleId = id;
    return this;
  }

  BundleForge channel(String channel) {
    this.channel = channel;
    return this;
  }

  BundleForge sequence(long sequence) {
    this.sequence = sequence;
    return this;
  }

  BundleForge created(Instant created) {
    this.created = created;
    return this;
  }

  BundleForge expires(Instant expires) {
    this.expires = expires;
    return this;
  }

  BundleForge producer(Producer producer) {
    this.producer = producer;
    return this;
  }

  /** Starts a new artifact; later {@link #file} calls add to it. */
  BundleForge artifact(String type, String name, String version, String purl, Map<String, String> properties) {
    artifacts.add(new ForgedArtifact(type, name, version, purl, properties == null ? Map.of() : properties, new ArrayList<>()));
    return this;
  }

  /** Adds a file to the current artifact (a {@code files} artifact is started if there is none). */
  BundleForge file(String path, Content content, String mediaType) {
    if (artifacts.isEmpty()) artifact("files", "forged-files", "1", "pkg:generic/forged-files@1", Map.of());
    artifacts.get(artifacts.size() - 1).files().add(new ForgedFile(path, content, mediaType));
    return this;
  }

  BundleForge file(String path, byte[] content) {
    return file(path, Content.of(content), "application/octet-stream");
  }

  BundleForge file(String path, String text) {
    return file(path, Content.of(text), "text/plain");
  }

  BundleForge file(String path, Path source) {
    return file(path, Content.of(source), "application/octet-stream");
  }

  BundleForge signedBy(SigningKey... keys) {
    signers.addAll(List.of(keys));
    return this;
  }

  /** Edits the manifest JSON before it is signed (any field, any value, unknown members...). */
  BundleForge editManifest(Consumer<ObjectNode> edit) {
    manifestEdits.add(edit);
    return this;
  }

  /** Replaces the {@code manifest.json} entry's bytes after signing (so it differs from the payload). */
  BundleForge tamperManifestEntry(UnaryOperator<byte[]> edit) {
    this.manifestEntryEdit = edit;
    return this;
  }

  /** Replaces the SBOM entry's bytes after its digest went into the signed manifest. */
  BundleForge tamperSbomEntry(UnaryOperator<byte[]> edit) {
    this.sbomEntryEdit = edit;
    return this;
  }

  /** Replaces the envelope entry's bytes. */
  BundleForge tamperEnvelopeEntry(UnaryOperator<byte[]> edit) {
    this.envelopeEntryEdit = edit;
    return this;
  }

  /** Edits the list of tar entries (head entries first, then blobs in digest order) before writing. */
  BundleForge entries(Consumer<List<TarItem>> edit) {
    entryEdits.add(edit);
    return this;
  }

  /** Bytes written after the end-of-archive marker (and after the record padding). */
  BundleForge trailing(byte[] bytes) {
    this.trailing = bytes.clone();
    return this;
  }

  /** Pads the archive with zeros to a multiple of {@code bytes} after the end-of-archive marker (tar's record). */
  BundleForge recordPadding(int bytes) {
    this.recordPadding = bytes;
    return this;
  }

  /** The manifest the forge will sign (without edits), for tests that need digests or sizes. */
  Manifest manifest() {
    return build().manifest;
  }

  private record Built(Manifest manifest, byte[] manifestBytes, byte[] sbom, TreeMap<String, Content> blobs) {}

  private Built build() {
    List<Artifact> list = new ArrayList<>();
    Map<String, String> placeholders = new LinkedHashMap<>();
    TreeMap<String, Content> blobs = new TreeMap<>();
    int counter = 0;
    for (ForgedArtifact a : artifacts) {
      List<ArtifactFile> files = new ArrayList<>();
      for (ForgedFile f : a.files()) {
        String path = f.path();
        if (LogicalPath.problem(path) != null) {
          String placeholder = "forge-placeholder-" + (counter++);
          placeholders.put(placeholder, path);
          path = placeholder;
        }
        Digest d = f.content().digest();
        blobs.putIfAbsent(d.hex(), f.content());
        files.add(new ArtifactFile(new LogicalPath(path), f.content().size(), d, f.mediaType()));
      }
      list.add(new Artifact(a.type(), a.name(), a.version(), a.purl(), a.properties(), files));
    }
    SbomRef placeholderSbom = new SbomRef(BundleLayout.SBOM, 0, Digest.of(new byte[0]), BundleLayout.SBOM_MEDIA_TYPE);
    Manifest draft = new Manifest(Manifest.FORMAT_VERSION, bundleId, channel, sequence, created, expires, producer, placeholderSbom, list);
    byte[] sbom = SbomGenerator.generate(draft);
    Manifest manifest = draft.withSbom(new SbomRef(BundleLayout.SBOM, sbom.length, Digest.of(sbom), BundleLayout.SBOM_MEDIA_TYPE));

    ObjectNode tree = Json.strict().valueToTree(manifest);
    if (!placeholders.isEmpty()) {
      for (JsonNode artifact : tree.get("artifacts")) {
        for (JsonNode file : (ArrayNode) artifact.get("files")) {
          String original = placeholders.get(file.get("path").asText());
          if (original != null) ((ObjectNode) file).put("path", original);
        }
      }
    }
    manifestEdits.forEach(e -> e.accept(tree));
    byte[] manifestBytes;
    try {
      byte[] body = Json.strict().writeValueAsBytes(tree);
      manifestBytes = Arrays.copyOf(body, body.length + 1);
      manifestBytes[body.length] = '\n';
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Built(manifest, manifestBytes, sbom, blobs);
  }

  /** Writes the bundle to {@code out}. */
  Forged write(Path out) throws IOException {
    Built b = build();
    byte[] envelope = signers.isEmpty()
        ? new DsseEnvelope(BundleLayout.ENVELOPE_PAYLOAD_TYPE, b.manifestBytes(), List.of()).toJson()
        : DsseEnvelope.sign(BundleLayout.ENVELOPE_PAYLOAD_TYPE, b.manifestBytes(), signers).toJson();

    List<TarItem> items = new ArrayList<>();
    items.add(TarItem.file(BundleLayout.MANIFEST, manifestEntryEdit.apply(b.manifestBytes().clone())));
    items.add(TarItem.file(BundleLayout.ENVELOPE, envelopeEntryEdit.apply(envelope)));
    items.add(TarItem.file(BundleLayout.SBOM, sbomEntryEdit.apply(b.sbom().clone())));
    List<String> blobNames = new ArrayList<>();
    for (Map.Entry<String, Content> e : b.blobs().entrySet()) {
      if (e.getValue().knownDigest() != null) continue; // declared only: no bytes to carry
      String name = BundleLayout.BLOB_PREFIX + e.getKey();
      blobNames.add(name);
      items.add(new TarItem(name, e.getValue()));
    }
    entryEdits.forEach(e -> e.accept(items));

    Files.createDirectories(out.toAbsolutePath().getParent());
    Map<String, Long> offsets = new LinkedHashMap<>();
    long end;
    try (CountingOutputStream counting = new CountingOutputStream(new BufferedOutputStream(Files.newOutputStream(out), 1 << 20))) {
      // 512-byte blocks: every closed entry is flushed through to `counting`, so hand-written headers
      // can be interleaved with the library's.
      TarArchiveOutputStream tar = new TarArchiveOutputStream(counting, 512, "UTF-8");
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      long mtime = created.getEpochSecond();
      for (TarItem item : items) {
        if (item.ustarSize != null || !item.pax.isEmpty()) {
          offsets.putIfAbsent(item.name, writeRaw(counting, item, mtime));
          continue;
        }
        TarArchiveEntry e = new TarArchiveEntry(item.name, item.type, item.preserveAbsolutePath);
        long size = item.type == TarConstants.LF_NORMAL || item.type == TarConstants.LF_OLDNORM ? item.content.size() : 0;
        e.setSize(size);
        e.setMode(item.type == TarConstants.LF_DIR ? 040755 : BundleLayout.ENTRY_MODE);
        e.setModTime(mtime * 1000L);
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("");
        e.setGroupName("");
        if (!item.linkName.isEmpty()) e.setLinkName(item.linkName);
        if (item.devMajor != 0 || item.devMinor != 0) {
          e.setDevMajor(item.devMajor);
          e.setDevMinor(item.devMinor);
        }
        tar.putArchiveEntry(e);
        offsets.putIfAbsent(item.name, counting.count());
        if (size > 0) {
          try (InputStream in = item.content.open()) {
            in.transferTo(tar);
          }
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
      tar.flush();
      end = counting.count();
      long pad = (recordPadding - end % recordPadding) % recordPadding;
      counting.write(new byte[(int) pad]);
      counting.write(trailing);
      tar.close();
    }
    return new Forged(out, b.manifestBytes(), Digest.of(b.manifestBytes()), bundleId, sequence, blobNames, offsets, end);
  }

  /**
   * Writes a PAX extended header with {@code item.pax} (and, when {@code item.ustarSize} is set, a
   * {@code size} record with the content's real size), then a ustar header whose size field says
   * {@code item.ustarSize} (or the real size), then the real content padded to a block. Returns the
   * offset of the content.
   */
  private static long writeRaw(CountingOutputStream out, TarItem item, long mtime) throws IOException {
    long size = item.content.size();
    java.io.ByteArrayOutputStream records = new java.io.ByteArrayOutputStream();
    for (Map.Entry<String, String> r : item.pax.entrySet()) records.write(paxRecord(r.getKey(), r.getValue()));
    if (item.ustarSize != null) records.write(paxRecord("size", Long.toString(size)));
    out.write(ustarHeader("PaxHeaders.0/" + lastSegment(item.name), TarConstants.LF_PAX_EXTENDED_HEADER_LC, records.size(), mtime, ""));
    records.writeTo(out);
    out.write(new byte[padding(records.size())]);
    out.write(ustarHeader(item.name, item.type, item.ustarSize != null ? item.ustarSize : size, mtime, item.linkName));
    long offset = out.count();
    try (InputStream in = item.content.open()) {
      in.transferTo(out);
    }
    out.write(new byte[padding(size)]);
    return offset;
  }

  private static String lastSegment(String name) {
    String s = name.substring(name.lastIndexOf('/') + 1);
    return s.length() > 80 ? s.substring(0, 80) : s;
  }

  private static int padding(long size) {
    return (int) ((512 - size % 512) % 512);
  }

  /** One PAX record: {@code "<len> key=value\n"} where len counts the whole record. */
  static byte[] paxRecord(String key, String value) {
    String body = " " + key + "=" + value + "\n";
    int len = body.getBytes(StandardCharsets.UTF_8).length;
    int total = len + Integer.toString(len).length();
    if (Integer.toString(total).length() != Integer.toString(len).length()) total++;
    return (total + body).getBytes(StandardCharsets.UTF_8);
  }

  /** A 512-byte ustar header block with a correct checksum. */
  static byte[] ustarHeader(String name, byte type, long size, long mtime, String linkName) {
    byte[] h = new byte[512];
    put(h, 0, 100, name);
    put(h, 100, 8, "0000644");
    put(h, 108, 8, "0000000");
    put(h, 116, 8, "0000000");
    put(h, 124, 12, String.format("%011o", size));
    put(h, 136, 12, String.format("%011o", mtime));
    h[156] = type;
    put(h, 157, 100, linkName);
    put(h, 257, 6, "ustar");
    put(h, 263, 2, "00");
    put(h, 329, 8, "0000000");
    put(h, 337, 8, "0000000");
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte x : h) sum += x & 0xff;
    put(h, 148, 8, String.format("%06o", sum));
    h[155] = ' ';
    return h;
  }

  private static void put(byte[] h, int off, int len, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > len) throw new IllegalArgumentException("'" + s + "' does not fit " + len + " bytes");
    System.arraycopy(b, 0, h, off, b.length);
  }

  private static final class CountingOutputStream extends FilterOutputStream {
    private long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    long count() {
      return count;
    }
  }
}
