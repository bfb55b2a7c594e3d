package dev.airgap.exporter.source.oci;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.airgap.core.Digest;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.mirror.oci.OciMediaTypes;
import dev.airgap.core.mirror.oci.OciNames;
import java.io.IOException;

/**
 * Reading manifests, indexes and descriptors. Unknown fields are kept (manifests are carried byte
 * for byte; only a rewritten index is re-serialised), duplicate keys are errors: two parsers could
 * otherwise disagree on what a manifest references.
 */
final class Manifests {
  static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  static {
    JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
  }

  private Manifests() {}

  static JsonNode parse(byte[] bytes, String where) {
    try {
      JsonNode n = JSON.readTree(bytes);
      if (n == null || !n.isObject()) throw IntegrityException.malformed(where, "not a JSON object");
      return n;
    } catch (IOException e) {
      throw IntegrityException.malformed(where, "unreadable JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
    }
  }

  /**
   * The media type of a manifest: its own {@code mediaType} field, else what the server or the
   * referring descriptor said, else inferred from its shape (OCI allows the field to be absent).
   */
  static String mediaType(JsonNode manifest, String announced, String where) {
    if (manifest.path("schemaVersion").asInt() != 2) throw IntegrityException.malformed(where, "only schemaVersion 2 manifests are supported");
    String own = manifest.path("mediaType").isTextual() ? manifest.get("mediaType").asText() : null;
    String type = own != null ? own : announced != null && OciMediaTypes.isManifest(announced) ? announced
        : manifest.has("manifests") ? OciMediaTypes.OCI_INDEX : OciMediaTypes.OCI_MANIFEST;
    if (!OciMediaTypes.isManifest(type)) throw IntegrityException.malformed(where, "unsupported manifest media type '" + type + "'");
    if (OciMediaTypes.isIndex(type) ? !manifest.path("manifests").isArray() : !manifest.path("config").isObject()) {
      throw IntegrityException.malformed(where, "a " + type + " without its " + (OciMediaTypes.isIndex(type) ? "manifests" : "config"));
    }
    return type;
  }

  static Digest digestOf(JsonNode descriptor, String where) {
    String d = descriptor.path("digest").asText(null);
    if (!OciNames.isDigest(d)) throw IntegrityException.malformed(where, "descriptor digest '" + d + "' is not sha256:<hex>");
    return Digest.parse(d);
  }

  static long sizeOf(JsonNode descriptor, String where) {
    JsonNode s = descriptor.get("size");
    if (s == null || !s.canConvertToExactIntegral() || s.asLong() < 0) throw IntegrityException.malformed(where, "descriptor without a valid size");
    return s.asLong();
  }

  static String mediaTypeOf(JsonNode descriptor) {
    return descriptor.path("mediaType").asText("application/octet-stream");
  }
}
