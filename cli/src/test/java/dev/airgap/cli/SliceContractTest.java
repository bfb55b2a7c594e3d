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
  /** One slice under test: how to export its fixture and where its files must appear. */
  interface Slice {
    String type();

    String sbomComponentType();

    String purlPrefix();

    /** Builds the fixture in {@code dir} and returns the export flags for it. */
    List<String> exportArgs(Path dir) throws Exception;

    /** URL path (under the mirror) → the file whose bytes it must serve. */
    Map<String, Path> expectedUrls(Path dir, String channel);

    /** Changes one file of the fixture and returns the URL whose content must change. */
    String mutate(Path dir, String channel) throws IOException;
  }

  static Stream<Slice> slices() {
    return Stream.of(new FilesSlice(), new ModelSlice());
  }

  static final class FilesSlice implements Slice {
    @Override public String type() { return "files"; }
    @Override public String sbomComponentType() { return "file"; }
    @Override public String purlPrefix() { return "pkg:generic/"; }

    @Override
    public List<String> exportArgs(Path dir) throws Exception {
      Cli.sample(dir.resolve("sample"), 1);
      return List.of("--files", dir.resolve("sample/files/docs").toString());
    }

    @Override
    public Map<String, Path> expectedUrls(Path dir, String channel) {
      Map<String, Path> m = new LinkedHashMap<>();
      for (String p : List.of("README.txt", "data.json", "empty.txt", "nested/copy-a.txt", "nested/copy-b.txt", "nested/r%C3%A9sum%C3%A9.txt")) {
        String fsName = java.net.URLDecoder.decode(p, java.nio.charset.StandardCharsets.UTF_8);
        m.put("/files/" + channel + "/docs/" + p, dir.resolve("sample/files/docs").resolve(fsName));
      }
      return m;
    }

    @Override
    public String mutate(Path dir, String channel) throws IOException {
      Files.writeString(dir.resolve("sample/files/docs/data.json"), "{\"changed\": true}\n");
      return "/files/" + channel + "/docs/data.json";
    }
  }

  static final class ModelSlice implements Slice {
    @Override public String type() { return "model"; }
    @Override public String sbomComponentType() { return "machine-learning-model"; }
    @Override public String purlPrefix() { return "pkg:huggingface/"; }

    @Override
    public List<String> exportArgs(Path dir) throws Exception {
      Cli.sample(dir.resolve("sample"), 1);
      return List.of("--model", dir.resolve("sample/models/tiny-model").toString());
    }

    @Override
    public Map<String, Path> expectedUrls(Path dir, String channel) {
      Map<String, Path> m = new LinkedHashMap<>();
      for (String p : List.of("config.json", "tokenizer.json", "model.safetensors")) {
        m.put("/files/" + channel + "/tiny-model/" + p, dir.resolve("sample/models/tiny-model").resolve(p));
      }
      return m;
    }

    @Override
    public String mutate(Path dir, String channel) throws IOException {
      Files.writeString(dir.resolve("sample/models/tiny-model/config.json"), "{\"hidden_size\": 128}\n");
      return "/files/" + channel + "/tiny-model/config.json";
    }
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
    assertEquals(1, artifacts.size());
    assertEquals(slice.type(), artifacts.get(0).get("type").asText());
    assertTrue(artifacts.get(0).get("purl").asText().startsWith(slice.purlPrefix()), artifacts.get(0).get("purl").asText());
    assertSbomComponent(mirror, first, trust, slice);

    Map<String, Path> expected = slice.expectedUrls(fixture, channel);
    Map<String, byte[]> before = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : expected.entrySet()) before.put(e.getKey(), Files.readAllBytes(e.getValue()));
    String changedUrl = slice.mutate(fixture, channel);
    Path second = export(sourceArgs, channel, 2);
    Cli.run("import", second.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(0);

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

  private void assertSbomComponent(Path mirror, Path bundle, Path trust, Slice slice) throws IOException {
    Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(0);
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
