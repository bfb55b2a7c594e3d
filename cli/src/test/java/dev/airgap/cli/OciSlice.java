package dev.airgap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The OCI slice under the contract: an OCI layout exported as {@code contract/app:1.0}, served under {@code /v2/}. */
final class OciSlice implements Slice {
  @Override public String type() { return "oci"; }
  @Override public String sbomComponentType() { return "container"; }
  @Override public String purlPrefix() { return "pkg:oci/"; }

  @Override
  public List<String> exportArgs(Path dir) throws Exception {
    OciFixtures.makeImages(dir.resolve("images"), 1);
    Path spec = dir.resolve("oci.yml");
    Files.writeString(spec, "artifacts:\n  - type: oci\n    layout: images/layouts/app\n    repository: contract/app\n");
    return List.of("--spec", spec.toString());
  }

  @Override
  public Map<String, Path> expectedUrls(Path dir, String channel) {
    JsonNode expected = read(dir);
    Path blobs = dir.resolve("images/layouts/app/blobs/sha256");
    Map<String, Path> m = new LinkedHashMap<>();
    m.put("/v2/contract/app/manifests/1.0", dir.resolve("images/current/app-manifest.json"));
    String app = expected.get("app").asText();
    m.put("/v2/contract/app/manifests/" + app, blobs.resolve(app.substring(7)));
    m.put("/v2/contract/app/blobs/" + expected.get("appConfig").asText(), blobs.resolve(expected.get("appConfig").asText().substring(7)));
    for (JsonNode layer : expected.get("appLayers")) m.put("/v2/contract/app/blobs/" + layer.asText(), blobs.resolve(layer.asText().substring(7)));
    return m;
  }

  @Override
  public String mutate(Path dir, String channel) throws IOException {
    try {
      OciFixtures.makeImages(dir.resolve("images"), 2); // app's own layer changes, so does its manifest
    } catch (Exception e) {
      throw new IOException(e);
    }
    return "/v2/contract/app/manifests/1.0";
  }

  private static JsonNode read(Path dir) {
    try {
      return dev.airgap.core.Json.strict().readTree(dir.resolve("images/expected.json").toFile());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
