package dev.airgap.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.Digest;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.bundle.BundleHead;
import dev.airgap.core.bundle.BundleLayout;
import dev.airgap.core.bundle.BundleWriter;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.TrustException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.manifest.ManifestCodec;
import dev.airgap.core.manifest.Producer;
import dev.airgap.core.manifest.SbomRef;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.mirror.FilesIndex;
import dev.airgap.core.mirror.GenerationInfo;
import dev.airgap.core.mirror.MirrorLayout;
import dev.airgap.importer.audit.AuditLog;
import dev.airgap.sbom.SbomGenerator;
import dev.airgap.signing.DsseEnvelope;
import dev.airgap.signing.Ed25519Keys;
import dev.airgap.signing.GeneratedKey;
import dev.airgap.signing.SigningKey;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The import pipeline in-process (scanning off): generations, retention, sequence, recovery. */
class ImporterTest {
  @TempDir Path tmp;
  SigningKey key;
  Path trust;
  MirrorLayout mirror;
  final Instant now = Instant.parse("2026-11-23T12:00:00Z");
  final Importer importer = new Importer(Clock.fixed(now, ZoneOffset.UTC));

  @BeforeEach
  void setUp() throws Exception {
    GeneratedKey k = Ed25519Keys.generate(tmp.resolve("keys"), "ops");
    key = SigningKey.load(k.privateKey());
    trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(k.publicKey(), trust.resolve("ops.pub"));
    mirror = new MirrorLayout(tmp.resolve("mirror"));
  }

  /** Writes a signed bundle of plain files (path → content) for a channel and sequence. */
  private Path bundle(String name, String channel, long sequence, Map<String, String> files) {
    List<ArtifactFile> list = new ArrayList<>();
    TreeMap<String, byte[]> blobs = new TreeMap<>();
    files.forEach((p, c) -> {
      byte[] b = c.getBytes(StandardCharsets.UTF_8);
      list.add(new ArtifactFile(new LogicalPath(p), b.length, Digest.of(b), "text/plain"));
      blobs.put(Digest.of(b).hex(), b);
    });
    Artifact a = new Artifact("files", name, "1", "pkg:generic/" + name + "@1", Map.of(), list);
    Manifest draft = new Manifest(1, name + "-" + sequence, channel, sequence, now.minusSeconds(60), now.plusSeconds(86400),
        new Producer("airgap", "test", "host"), new SbomRef(BundleLayout.SBOM, 0, Digest.of(new byte[0]), BundleLayout.SBOM_MEDIA_TYPE), List.of(a));
    byte[] sbom = SbomGenerator.generate(draft);
    Manifest m = draft.withSbom(new SbomRef(BundleLayout.SBOM, sbom.length, Digest.of(sbom), BundleLayout.SBOM_MEDIA_TYPE));
    byte[] mb = ManifestCodec.encode(m);
    Path out = tmp.resolve("bundles/" + name + "-" + sequence + ".bundle");
    try (BundleWriter w = BundleWriter.create(out, m.created())) {
      w.writeHead(new BundleHead(mb, DsseEnvelope.sign(BundleLayout.ENVELOPE_PAYLOAD_TYPE, mb, List.of(key)).toJson(), sbom));
      blobs.forEach((hex, b) -> w.writeBlob(new BlobSource() {
        @Override public Digest digest() { return Digest.ofHex(hex); }
        @Override public long size() { return b.length; }
        @Override public String origin() { return hex; }
        @Override public java.io.InputStream open() { return new ByteArrayInputStream(b); }
      }));
      w.commit();
    }
    return out;
  }

  private ImportResult importIt(Path bundle) {
    return importer.importBundle(new ImportRequest(bundle, mirror.root(), trust, null, true, false));
  }

  private String served(String channel, String path) throws Exception {
    FilesIndex.Entry e = FilesIndex.read(mirror.currentGeneration().orElseThrow()).lookup(channel, path);
    return e == null ? null : Files.readString(mirror.blob(e.sha256()));
  }

  @Test
  void generationsAccumulateAndNewerPathsReplaceOlder() throws Exception {
    assertEquals(1, importIt(bundle("a", "lab", 1, Map.of("x.txt", "x1", "y.txt", "y1"))).generation());
    assertEquals(2, importIt(bundle("a", "lab", 2, Map.of("x.txt", "x2"))).generation());
    assertEquals(3, importIt(bundle("b", "other", 1, Map.of("x.txt", "other"))).generation());
    assertEquals("x2", served("lab", "x.txt"));
    assertEquals("y1", served("lab", "y.txt"), "earlier paths are retained");
    assertEquals("other", served("other", "x.txt"));
    GenerationInfo info = GenerationInfo.read(mirror.currentGeneration().orElseThrow());
    assertEquals(2, info.channels().get("lab").sequence());
    assertEquals(1, info.channels().get("other").sequence());
    for (String id : List.of("a-1", "a-2", "b-1")) {
      assertTrue(Files.exists(mirror.current().resolve("bundles/" + id + "/manifest.json")), id + " head carried forward");
    }
    assertEquals(3, new AuditLog(mirror.auditLog()).verify());
  }

  @Test
  void sequenceMustIncreaseAndIdenticalReimportIsANoOp() throws Exception {
    Path first = bundle("a", "lab", 5, Map.of("x.txt", "x1"));
    importIt(first);
    assertEquals(ImportResult.Outcome.ALREADY_IMPORTED, importIt(first).outcome());
    TrustException e = assertThrows(TrustException.class, () -> importIt(bundle("a", "lab", 5, Map.of("x.txt", "evil"))));
    assertTrue(e.getMessage().contains("not above the last imported sequence 5"), e.getMessage());
    assertThrows(TrustException.class, () -> importIt(bundle("a", "lab", 4, Map.of("x.txt", "old"))));
    assertEquals("x1", served("lab", "x.txt"));
    assertEquals(1, GenerationInfo.read(mirror.currentGeneration().orElseThrow()).generation());
    assertEquals(4, new AuditLog(mirror.auditLog()).verify());
  }

  @Test
  void pathCollidingWithAnEarlierImportIsRejected() throws Exception {
    importIt(bundle("a", "lab", 1, Map.of("Docs/Read.txt", "1")));
    IntegrityException e = assertThrows(IntegrityException.class, () -> importIt(bundle("a", "lab", 2, Map.of("docs/read.txt", "2"))));
    assertTrue(e.getMessage().contains("collides with the published path 'Docs/Read.txt'"), e.getMessage());
    assertEquals(1, GenerationInfo.read(mirror.currentGeneration().orElseThrow()).generation());
  }

  @Test
  void leftoversOfAKilledImportAreClearedAndTheNextImportSucceeds() throws Exception {
    importIt(bundle("a", "lab", 1, Map.of("x.txt", "x1")));
    // What a kill -9 can leave: a staging tree, an unpublished next generation, a stray link.
    Files.createDirectories(mirror.staging().resolve("dead-import/blobs"));
    Files.writeString(mirror.staging().resolve("dead-import/blobs/junk"), "junk");
    Files.createDirectories(mirror.generation(2).resolve("files"));
    Files.writeString(mirror.generation(2).resolve("files/index.json"), "{broken");
    Files.createSymbolicLink(mirror.root().resolve(".current-2"), Path.of("generations/0000000002"));
    assertEquals("x1", served("lab", "x.txt"), "the killed import did not change what is served");

    assertEquals(2, importIt(bundle("a", "lab", 2, Map.of("x.txt", "x2"))).generation());
    assertEquals("x2", served("lab", "x.txt"));
    try (var s = Files.list(mirror.staging())) {
      assertFalse(s.findAny().isPresent(), "staging is empty after an import");
    }
    assertFalse(Files.exists(mirror.root().resolve(".current-2"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void noScanIsAuditedAndPolicyCanForbidIt() throws Exception {
    importIt(bundle("a", "lab", 1, Map.of("x.txt", "x1")));
    String log = Files.readString(mirror.auditLog());
    assertTrue(log.contains("\"scanner\":\"none (--no-scan)\""), log);
    Files.writeString(trust.resolve("policy.json"), "{\"allowNoScan\": false}");
    TrustException e = assertThrows(TrustException.class, () -> importIt(bundle("a", "lab", 2, Map.of("x.txt", "x2"))));
    assertTrue(e.getMessage().contains("forbids --no-scan"), e.getMessage());
    assertEquals("x1", served("lab", "x.txt"));
  }
}
