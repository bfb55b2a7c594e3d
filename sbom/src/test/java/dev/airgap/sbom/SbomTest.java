package dev.airgap.sbom;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Digest;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.manifest.Producer;
import dev.airgap.core.manifest.SbomRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;

class SbomTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static Digest d(String s) {
    return Digest.of(s.getBytes(StandardCharsets.UTF_8));
  }

  static ArtifactFile file(String path, String content, String mediaType) {
    return new ArtifactFile(new LogicalPath(path), content.length(), d(content), mediaType);
  }

  static Manifest manifest() {
    Artifact files = new Artifact("files", "dataset", "2024.1", "pkg:generic/dataset@2024.1", Map.of("source", "nas"),
        List.of(file("data/a.csv", "a,b\n1,2\n", "text/csv"), file("data/b.csv", "c,d\n3,4\n", "text/csv")));
    Artifact model = new Artifact("model", "tiny-model", "abc123", "pkg:huggingface/acme/tiny-model@abc123", Map.of("revision", "abc123"),
        List.of(file("models/tiny/config.json", "{}", "application/json"),
            file("models/tiny/model.safetensors", "weights", "application/octet-stream")));
    Artifact wheel = new Artifact("pypi", "requests", "2.32.3", "pkg:pypi/requests@2.32.3", Map.of(),
        List.of(file("requests-2.32.3-py3-none-any.whl", "wheel", "application/zip")));
    Instant created = Instant.parse("2025-01-02T03:04:05Z");
    return new Manifest(1, "b-1", "default", 1, created, created.plusSeconds(86400), new Producer("airgap", "0.1.0", "host"),
        new SbomRef("sbom.cdx.json", 0, Digest.of(new byte[0]), "application/vnd.cyclonedx+json"), List.of(files, model, wheel));
  }

  static JsonNode tree(byte[] json) throws Exception {
    return MAPPER.readTree(json);
  }

  static ArrayNode components(JsonNode root) {
    return (ArrayNode) root.get("components");
  }

  /** Applies {@code edit} to the generated SBOM and asserts the checker rejects it naming {@code culprit}. */
  static IntegrityException rejected(Consumer<ObjectNode> edit, String... culprits) throws Exception {
    Manifest m = manifest();
    ObjectNode root = (ObjectNode) tree(SbomGenerator.generate(m));
    edit.accept(root);
    byte[] tampered = MAPPER.writeValueAsBytes(root);
    IntegrityException e = assertThrows(IntegrityException.class, () -> SbomChecker.check(tampered, m));
    assertTrue(e.getMessage().startsWith("sbom.cdx.json: "), e.getMessage());
    for (String c : culprits) assertTrue(e.getMessage().contains(c), "message should name " + c + ": " + e.getMessage());
    return e;
  }

  @Test
  void generatesCycloneDx16WithManifestValues() throws Exception {
    Manifest m = manifest();
    JsonNode root = tree(SbomGenerator.generate(m));
    assertEquals("CycloneDX", root.get("bomFormat").asText());
    assertEquals("1.6", root.get("specVersion").asText());
    assertEquals("urn:uuid:" + UUID.nameUUIDFromBytes("airgap:b-1".getBytes(StandardCharsets.UTF_8)), root.get("serialNumber").asText());
    assertEquals("2025-01-02T03:04:05Z", root.at("/metadata/timestamp").asText());
    assertEquals("airgap", root.at("/metadata/tools/components/0/name").asText());
    assertEquals("0.1.0", root.at("/metadata/tools/components/0/version").asText());
    assertEquals("airgap-bundle/default", root.at("/metadata/component/name").asText());
    assertEquals("bundle", root.at("/metadata/component/bom-ref").asText());

    ArrayNode comps = components(root);
    assertEquals(3, comps.size());
    assertEquals("file", comps.get(0).get("type").asText());
    assertEquals("machine-learning-model", comps.get(1).get("type").asText());
    assertEquals("library", comps.get(2).get("type").asText());
    assertEquals("pkg:huggingface/acme/tiny-model@abc123", comps.get(1).get("purl").asText());
    assertEquals("artifact-1", comps.get(1).get("bom-ref").asText());

    for (int i = 0; i < m.artifacts().size(); i++) {
      Artifact a = m.artifacts().get(i);
      JsonNode files = comps.get(i).get("components");
      assertEquals(a.files().size(), files.size());
      for (int j = 0; j < a.files().size(); j++) {
        ArtifactFile f = a.files().get(j);
        JsonNode fc = files.get(j);
        assertEquals("file", fc.get("type").asText());
        assertEquals("artifact-" + i + "-file-" + j, fc.get("bom-ref").asText());
        assertEquals(f.path().value(), fc.get("name").asText());
        assertEquals("SHA-256", fc.at("/hashes/0/alg").asText());
        assertEquals(f.sha256().hex(), fc.at("/hashes/0/content").asText());
        assertEquals(Long.toString(f.size()), fc.at("/properties/0/value").asText());
      }
    }
    // Multi-file artifacts carry no component hash; the single-file one carries its file's.
    assertNull(comps.get(1).get("hashes"));
    assertEquals(m.artifacts().get(2).files().get(0).sha256().hex(), comps.get(2).at("/hashes/0/content").asText());
  }

  @Test
  void generationIsDeterministicAndIgnoresPlaceholderSbom() {
    Manifest m = manifest();
    byte[] first = SbomGenerator.generate(m);
    assertArrayEquals(first, SbomGenerator.generate(manifest()));
    assertArrayEquals(first, SbomGenerator.generate(m.withSbom(new SbomRef("sbom.cdx.json", 99, d("x"), "x/y"))));
    String text = new String(first, StandardCharsets.UTF_8);
    assertFalse(text.contains("\r"), "line ends must not depend on the platform");
    assertTrue(text.endsWith("}\n"));
  }

  @Test
  void validatesAgainstCycloneDx16Schema() throws Exception {
    byte[] sbom = SbomGenerator.generate(manifest());
    List<ParseException> errors = new JsonParser().validate(sbom, Version.VERSION_16);
    assertEquals(List.of(), errors.stream().map(Throwable::getMessage).toList());
  }

  @Test
  void checkerAcceptsOwnOutput() {
    Manifest m = manifest();
    assertDoesNotThrow(() -> SbomChecker.check(SbomGenerator.generate(m), m));
    // The fast path (byte equality) must not be what makes our own output pass.
    assertDoesNotThrow(() -> SbomChecker.checkStrictly(SbomGenerator.generate(m), m));
  }

  @Test
  void checkerAcceptsAnEquivalentDocumentFromAnotherWriter() throws Exception {
    Manifest m = manifest();
    // Same content, compact formatting: not byte-identical, so the strict path decides.
    byte[] compact = dev.airgap.core.Json.strict().writeValueAsBytes(dev.airgap.core.Json.strict().readTree(SbomGenerator.generate(m)));
    assertDoesNotThrow(() -> SbomChecker.check(compact, m));
  }

  @Test
  void rejectsChangedFileHash() throws Exception {
    String bogus = d("tampered").hex();
    rejected(root -> ((ObjectNode) components(root).get(1).at("/components/1/hashes/0")).put("content", bogus),
        "tiny-model", "models/tiny/model.safetensors", "SHA-256", bogus);
  }

  @Test
  void rejectsChangedComponentHashOfSingleFileArtifact() throws Exception {
    rejected(root -> ((ObjectNode) components(root).get(2).at("/hashes/0")).put("content", d("other").hex()), "requests", "SHA-256");
  }

  @Test
  void rejectsRemovedComponent() throws Exception {
    rejected(root -> components(root).remove(1), "artifact[1] 'tiny-model'", "missing");
  }

  @Test
  void rejectsExtraComponent() throws Exception {
    rejected(root -> {
      ObjectNode extra = components(root).addObject();
      extra.put("type", "library").put("bom-ref", "artifact-3").put("name", "backdoor").put("version", "1").put("purl", "pkg:pypi/backdoor@1");
    }, "extra component 'backdoor'");
  }

  @Test
  void rejectsChangedPurl() throws Exception {
    rejected(root -> ((ObjectNode) components(root).get(0)).put("purl", "pkg:generic/dataset@6.6.6"), "dataset", "purl", "pkg:generic/dataset@6.6.6");
  }

  @Test
  void rejectsChangedSizeAndMissingFile() throws Exception {
    rejected(root -> ((ObjectNode) components(root).get(0).at("/components/0/properties/0")).put("value", "1"), "data/a.csv", "airgap:size");
    rejected(root -> ((ArrayNode) components(root).get(0).get("components")).remove(1), "data/b.csv", "missing");
  }

  @Test
  void rejectsChangedTypeMapping() throws Exception {
    rejected(root -> ((ObjectNode) components(root).get(1)).put("type", "library"), "tiny-model", "type", "machine-learning-model");
  }

  @Test
  void rejectsWrongSerialAndSpecVersion() throws Exception {
    rejected(root -> root.put("serialNumber", "urn:uuid:" + UUID.nameUUIDFromBytes(new byte[] {1})), "serialNumber", "b-1");
    rejected(root -> root.put("specVersion", "1.5"), "specVersion", "1.5");
  }

  @Test
  void rejectsDuplicateKeys() {
    Manifest m = manifest();
    String text = new String(SbomGenerator.generate(m), StandardCharsets.UTF_8);
    String purl = "\"purl\": \"pkg:generic/dataset@2024.1\"";
    assertTrue(text.contains(purl), text);
    byte[] dup = text.replace(purl, "\"purl\": \"pkg:generic/evil@1\", " + purl).getBytes(StandardCharsets.UTF_8);
    IntegrityException e = assertThrows(IntegrityException.class, () -> SbomChecker.check(dup, m));
    assertTrue(e.getMessage().startsWith("sbom.cdx.json: "), e.getMessage());
    assertTrue(e.getMessage().contains("Duplicate field 'purl'"), e.getMessage());
  }

  @Test
  void rejectsMalformedJson() {
    Manifest m = manifest();
    assertThrows(IntegrityException.class, () -> SbomChecker.check("{\"bomFormat\": ".getBytes(StandardCharsets.UTF_8), m));
    assertThrows(IntegrityException.class, () -> SbomChecker.check(new byte[0], m));
    assertThrows(IntegrityException.class, () -> SbomChecker.check("[]".getBytes(StandardCharsets.UTF_8), m));
    byte[] trailing = (new String(SbomGenerator.generate(m), StandardCharsets.UTF_8) + "{}").getBytes(StandardCharsets.UTF_8);
    assertThrows(IntegrityException.class, () -> SbomChecker.check(trailing, m));
  }

  @Test
  void rejectsFieldsOutsideTheSchema() throws Exception {
    rejected(root -> ((ObjectNode) components(root).get(0)).put("evil", 1), "schema", "evil");
  }

  @Test
  void generatorRefusesValuesCycloneDxWouldAlter() {
    Manifest m = manifest();
    Artifact padded = new Artifact("pypi", " padded ", "1", "pkg:pypi/padded@1", Map.of(), List.of(file("p.whl", "p", "application/zip")));
    Manifest bad = new Manifest(1, "b-1", "default", 1, m.created(), m.expires(), m.producer(), m.sbom(), List.of(padded));
    IntegrityException e = assertThrows(IntegrityException.class, () -> SbomGenerator.generate(bad));
    assertTrue(e.getMessage().contains("padded"), e.getMessage());
  }

  @Test
  void rejectsSbomOfAnotherManifest() {
    Manifest m = manifest();
    Manifest other = new Manifest(1, "b-2", m.channel(), 2, m.created(), m.expires(), m.producer(), m.sbom(), m.artifacts());
    IntegrityException e = assertThrows(IntegrityException.class, () -> SbomChecker.check(SbomGenerator.generate(other), m));
    assertTrue(e.getMessage().contains("serialNumber"), e.getMessage());
  }
}
