package dev.airgap.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.Digest;
import dev.airgap.core.bundle.BundleHead;
import dev.airgap.core.bundle.BundleReader;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.manifest.ManifestCodec;
import dev.airgap.signing.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExporterTest {
  @TempDir Path tmp;
  Path key;
  final Instant now = Instant.parse("2026-11-23T12:00:00Z");
  final Exporter exporter = new Exporter(Clock.fixed(now, ZoneOffset.UTC), "test");

  @BeforeEach
  void keys() {
    key = Ed25519Keys.generate(tmp.resolve("keys"), "ops").privateKey();
  }

  private ExportRequest request(Path spec, List<Path> files, List<Path> models) {
    return new ExportRequest(List.of(key), tmp.resolve("out.bundle"), spec, null, null, null, files, models);
  }

  @Test
  void specFileDrivesChannelSequenceExpiryAndArtifacts() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("spec/data"));
    Files.writeString(data.resolve("a.txt"), "same\n");
    Files.writeString(data.resolve("b.txt"), "same\n");
    Path model = Files.createDirectories(tmp.resolve("spec/hub/models--acme--tiny/snapshots/0123abcd"));
    Files.writeString(model.resolve("config.json"), "{}");
    Files.write(model.resolve("pytorch_model.bin"), new byte[] {1, 2, 3});
    Path spec = tmp.resolve("spec/export.yaml");
    Files.writeString(spec, """
        channel: lab
        sequence: 7
        expires: 2027-01-01
        artifacts:
          - type: files
            path: data
            version: "1.0"
          - type: model
            path: hub/models--acme--tiny/snapshots/0123abcd
        """);
    ExportResult r = exporter.export(request(spec, List.of(), List.of()));
    Manifest m = r.manifest();
    assertEquals("lab", m.channel());
    assertEquals(7, m.sequence());
    assertEquals(Instant.parse("2027-01-01T00:00:00Z"), m.expires());
    assertEquals(now, m.created());
    Artifact files = m.artifacts().get(0);
    assertEquals("pkg:generic/data@1.0", files.purl());
    assertEquals(List.of("data/a.txt", "data/b.txt"), files.files().stream().map(f -> f.path().value()).toList());
    Artifact hf = m.artifacts().get(1);
    assertEquals("acme/tiny", hf.name());
    assertEquals("0123abcd", hf.version());
    assertEquals("pkg:huggingface/acme/tiny@0123abcd", hf.purl());
    assertEquals("acme/tiny/pytorch_model.bin", hf.properties().get("pickleFiles"));
    assertEquals(3, r.blobCount(), "identical files are stored once");

    try (BundleReader reader = BundleReader.open(r.bundle())) {
      BundleHead head = reader.readHead();
      assertEquals(m, ManifestCodec.decode(head.manifestBytes()));
      assertEquals(m.sbom().sha256(), Digest.of(head.sbomBytes()));
      reader.verifyBlobs(m.blobSizes());
    }
  }

  @Test
  void quickFlagsUseDefaults() throws Exception {
    Path file = Files.writeString(tmp.resolve("notes.txt"), "hello");
    Manifest m = exporter.export(request(null, List.of(file), List.of())).manifest();
    assertEquals("default", m.channel());
    assertEquals(now.getEpochSecond(), m.sequence());
    assertEquals(now.plus(java.time.Duration.ofDays(30)), m.expires());
    assertEquals("notes.txt", m.artifacts().get(0).files().get(0).path().value());
    assertEquals("text/plain; charset=utf-8", m.artifacts().get(0).files().get(0).mediaType());
  }

  @Test
  void rejectsBadSpecsWithTheFieldNamed() throws Exception {
    Path spec = Files.writeString(tmp.resolve("bad.yaml"), "artifacts:\n  - type: files\n    path: x\n    colour: blue\n");
    UsageException e = assertThrows(UsageException.class, () -> exporter.export(request(spec, List.of(), List.of())));
    assertTrue(e.getMessage().contains("unknown field 'colour'"), e.getMessage());
    Files.writeString(spec, "artifacts:\n  - type: npm\n    packages: [left-pad]\n");
    e = assertThrows(UsageException.class, () -> exporter.export(request(spec, List.of(), List.of())));
    assertTrue(e.getMessage().contains("type 'npm' is unknown (known: [files, model"), e.getMessage());
    Files.writeString(spec, "chanel: typo\n");
    e = assertThrows(UsageException.class, () -> exporter.export(request(spec, List.of(), List.of())));
    assertTrue(e.getMessage().contains("unknown field 'chanel'"), e.getMessage());
    assertThrows(UsageException.class, () -> exporter.export(request(null, List.of(), List.of())));
    e = assertThrows(UsageException.class, () -> exporter.export(request(tmp.resolve("no-such.yaml"), List.of(), List.of())));
    assertTrue(e.getMessage().contains("spec file not found"), e.getMessage());
    assertThrows(UsageException.class, () -> exporter.export(request(null, List.of(tmp.resolve("missing")), List.of())));
  }

  @Test
  void rejectsCaseCollidingPathsAndLeavesNoOutput() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("one/docs"));
    Path b = Files.createDirectories(tmp.resolve("two/Docs"));
    Files.writeString(a.resolve("x.txt"), "1");
    Files.writeString(b.resolve("X.txt"), "2");
    IntegrityException e = assertThrows(IntegrityException.class, () -> exporter.export(request(null, List.of(a, b), List.of())));
    assertTrue(e.getMessage().contains("collides"), e.getMessage());
    assertTrue(!Files.exists(tmp.resolve("out.bundle")));
  }

  @Test
  void whenParsesDurationsDatesAndInstants() {
    assertEquals(now.plusSeconds(3600 * 12), When.parse("12h", now));
    assertEquals(now.plusSeconds(90 * 60), When.parse("90m", now));
    assertEquals(Instant.parse("2027-02-03T04:05:06Z"), When.parse("2027-02-03T04:05:06Z", now));
    assertThrows(UsageException.class, () -> When.parse("soon", now));
  }
}
