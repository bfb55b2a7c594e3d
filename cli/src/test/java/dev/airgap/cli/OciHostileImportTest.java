package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.Digest;
import dev.airgap.signing.SigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed bundles whose OCI content is inconsistent (forged: the real exporter never writes them)
 * are refused by the OCI publisher with exit 3, and the mirror does not change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OciHostileImportTest {
  private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  @TempDir static Path tmp;
  private SigningKey ops;
  private Path trust;
  private Path mirror;
  private int sequence = 1;

  private static final byte[] CONFIG = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LAYER = "not really a tar".getBytes(StandardCharsets.UTF_8);

  @BeforeAll
  void setUp() throws Exception {
    ops = BundleForge.newKey(tmp.resolve("keys"), "ops");
    trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(tmp.resolve("keys/ops.pub"), trust.resolve("ops.pub"));
    mirror = tmp.resolve("mirror");
    byte[] good = manifest(MANIFEST, Digest.of(LAYER), LAYER.length);
    importBundle(image(good, MANIFEST, true)).expect(0);
  }

  private static byte[] manifest(String ownType, Digest layer, long layerSize) {
    return ("{\"schemaVersion\":2,\"mediaType\":\"" + ownType + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
        + Digest.of(CONFIG) + "\",\"size\":" + CONFIG.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
        + layer + "\",\"size\":" + layerSize + "}]}").getBytes(StandardCharsets.UTF_8);
  }

  private Path image(byte[] manifest, String listedType, boolean withLayer) throws Exception {
    Digest d = Digest.of(manifest);
    String prefix = "oci/test/forged@" + d + "/blobs/sha256/";
    BundleForge f = new BundleForge().channel("images").sequence(sequence++).signedBy(ops)
        .artifact("oci", "test/forged", "1.0", "pkg:oci/forged@" + d.toString().replace(":", "%3A"), Map.of("digest", d.toString(), "tags", "1.0"))
        .file(prefix + d.hex(), BundleForge.Content.of(manifest), listedType)
        .file(prefix + Digest.of(CONFIG).hex(), BundleForge.Content.of(CONFIG), "application/vnd.oci.image.config.v1+json");
    if (withLayer) f.file(prefix + Digest.of(LAYER).hex(), BundleForge.Content.of(LAYER), "application/vnd.oci.image.layer.v1.tar");
    return f.write(tmp.resolve("b" + sequence + ".bundle")).path();
  }

  private Cli.Run importBundle(Path bundle) {
    return Cli.runQuick("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan");
  }

  private void refused(Path bundle, String... expected) {
    MirrorState.Snapshot before = MirrorState.snapshot(mirror);
    String line = importBundle(bundle).expect(3).errorLine();
    for (String e : expected) assertTrue(line.contains(e), line);
    assertEquals(before, MirrorState.snapshot(mirror));
  }

  @Test
  void manifestReferencingABlobTheBundleDoesNotCarryIsRefused() throws Exception {
    Digest missing = Digest.of("elsewhere".getBytes(StandardCharsets.UTF_8));
    refused(image(manifest(MANIFEST, missing, 9), MANIFEST, false), "references " + missing, "does not carry");
  }

  @Test
  void manifestWhoseSizeDisagreesWithItsReferenceIsRefused() throws Exception {
    refused(image(manifest(MANIFEST, Digest.of(LAYER), LAYER.length + 1), MANIFEST, true), "size mismatch");
  }

  @Test
  void manifestWhoseOwnMediaTypeDisagreesWithTheBundleIsRefused() throws Exception {
    byte[] m = manifest("application/vnd.docker.distribution.manifest.v2+json", Digest.of(LAYER), LAYER.length);
    refused(image(m, MANIFEST, true), "declares media type application/vnd.docker.distribution.manifest.v2+json");
  }
}
