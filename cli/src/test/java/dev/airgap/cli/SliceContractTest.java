package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one contract every ecosystem slice passes: its exporter source turns a fixture into
 * artifacts of its type (with purl and SBOM component), its importer publisher writes an index
 * into a new generation, its mirror route serves every file byte-identical, and a later bundle
 * that changes one file keeps everything else served (retention) while serving the new bytes.
 */
class SliceContractTest {
  static Stream<Slice> slices() {
    return Stream.of(new FilesSlice(), new ModelSlice(), new PypiSlice(), new HfSlice(), new OciSlice(), new MavenSlice(), new AptSlice(), new GitSlice());
  }

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @MethodSource("slices")
  void sliceExportsPublishesAndServes(Slice slice) throws Exception {
    String channel = "contract-" + slice.type();
    Cli.run("keys", "generate", "--out", tmp.resolve("keys").toString(), "--name", "ops").expect(0);
    Path trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(tmp.resolve("keys/ops.pub"), trust.resolve("ops.pub"));
    Path fixture = Files.createDirectories(tmp.resolve("fixture"));
    List<String> sourceArgs = slice.exportArgs(fixture);
    Path mirror = tmp.resolve("mirror");

    Path first = export(sourceArgs, channel, 1);
    JsonNode inspected = Json.strict().readTree(Cli.run("inspect", first.toString(), "--json").expect(0).out());
    JsonNode artifacts = inspected.get("manifest").get("artifacts");
    assertTrue(artifacts.size() >= 1, "at least one artifact");
    for (JsonNode a : artifacts) {
      if (slice.derivedTypes().contains(a.get("type").asText())) continue;
      assertEquals(slice.type(), a.get("type").asText());
      assertTrue(a.get("purl").asText().startsWith(slice.purlPrefix()), a.get("purl").asText());
    }
    importBundle(first, mirror, trust, slice.importArgs(fixture));
    assertSbomComponent(mirror, slice);

    Map<String, Path> expected = slice.expectedUrls(fixture, channel);
    Map<String, byte[]> before = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : expected.entrySet()) before.put(e.getKey(), Files.readAllBytes(e.getValue()));
    String changedUrl = slice.mutate(fixture, channel);
    Path second = export(sourceArgs, channel, 2);
    importBundle(second, mirror, trust, slice.importArgs(fixture));

    HttpClient http = HttpClient.newHttpClient();
    try (Cli.Server server = Cli.Server.start(mirror)) {
      for (Map.Entry<String, byte[]> e : before.entrySet()) {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(server.url(e.getKey()))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), e.getKey());
        byte[] want = e.getKey().equals(changedUrl) ? Files.readAllBytes(expected.get(e.getKey())) : e.getValue();
        assertArrayEquals(want, r.body(), e.getKey());
      }
    }
  }

  private static void importBundle(Path bundle, Path mirror, Path trust, List<String> extra) {
    List<String> args = new java.util.ArrayList<>(List.of("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan"));
    args.addAll(extra);
    Cli.run(args.toArray(String[]::new)).expect(0);
  }

  private void assertSbomComponent(Path mirror, Slice slice) throws IOException {
    Path bundles = mirror.resolve("current/bundles");
    try (Stream<Path> s = Files.list(bundles)) {
      Path dir = s.findFirst().orElseThrow();
      JsonNode sbom = Json.strict().readTree(dir.resolve("sbom.cdx.json").toFile());
      assertEquals("1.6", sbom.get("specVersion").asText());
      assertEquals(slice.sbomComponentType(), sbom.get("components").get(0).get("type").asText());
    }
  }

  private Path export(List<String> sourceArgs, String channel, int sequence) {
    Path out = tmp.resolve("bundles/" + sequence + ".bundle");
    List<String> args = new java.util.ArrayList<>(List.of("export", "--key", tmp.resolve("keys/ops.key").toString(), "--out", out.toString(),
        "--channel", channel, "--sequence", Integer.toString(sequence)));
    args.addAll(sourceArgs);
    Cli.run(args.toArray(String[]::new)).expect(0);
    return out;
  }
}
