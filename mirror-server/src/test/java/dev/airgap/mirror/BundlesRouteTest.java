package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BundlesRouteTest extends StandardMirror {
  @Test
  void indexListsTheBundlesOfTheGeneration() throws Exception {
    HttpResponse<byte[]> r = get("/bundles/index.json");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    assertEquals("\"" + Digest.of(r.body()).hex() + "\"", r.headers().firstValue("ETag").orElseThrow());
    List<Map<String, Object>> list = Json.strict().readValue(r.body(), new TypeReference<>() {});
    assertEquals(List.of(
        Map.of("bundleId", "chan-0001", "channel", "chan", "sequence", 1),
        Map.of("bundleId", "chan-0002", "channel", "chan", "sequence", 2),
        Map.of("bundleId", "models-0001", "channel", "models", "sequence", 1)), list);
  }

  @ParameterizedTest
  @ValueSource(strings = {"manifest.json", "manifest.dsse.json", "sbom.cdx.json"})
  void bundleFilesAreServedByteExact(String name) throws Exception {
    byte[] expected = Files.readAllBytes(mirror.layout.generation(1).resolve("bundles/chan-0002").resolve(name));
    HttpResponse<byte[]> r = get("/bundles/chan-0002/" + name);
    assertEquals(200, r.statusCode());
    assertArrayEquals(expected, r.body());
    assertEquals("\"" + Digest.of(expected).hex() + "\"", r.headers().firstValue("ETag").orElseThrow());
    assertEquals(String.valueOf(expected.length), r.headers().firstValue("Content-Length").orElseThrow());
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
    assertEquals(BundlesRoute.FILES.get(name), r.headers().firstValue("Content-Type").orElseThrow());
  }

  @Test
  void bundleFilesSupportRangesAndConditionals() throws Exception {
    HttpResponse<byte[]> full = get("/bundles/chan-0001/manifest.json");
    String tag = full.headers().firstValue("ETag").orElseThrow();
    assertEquals(304, get("/bundles/chan-0001/manifest.json", "If-None-Match", tag).statusCode());
    HttpResponse<byte[]> part = get("/bundles/chan-0001/manifest.json", "Range", "bytes=0-0");
    assertEquals(206, part.statusCode());
    assertEquals("{", new String(part.body(), java.nio.charset.StandardCharsets.US_ASCII));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/bundles/chan-0001/generation.json", "/bundles/chan-0001/.secret", "/bundles/-bad/manifest.json",
      "/bundles/.hidden/manifest.json", "/bundles/chan-0001/manifest.json/x", "/bundles/chan-0001/MANIFEST.JSON", "/bundles/index.json/x",
      "/bundles/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/manifest.json", "/bundles/chan-0003/manifest.json", "/bundles/INDEX.json"})
  void anythingElseUnderBundlesIs404(String path) throws Exception {
    HttpResponse<byte[]> r = get(path);
    assertEquals(404, r.statusCode(), path);
    assertEquals(MirrorHandler.NOT_FOUND, new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
  }
}
