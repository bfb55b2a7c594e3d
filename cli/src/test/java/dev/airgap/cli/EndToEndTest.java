package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.mirror.MirrorLayout;
import dev.airgap.testing.ClamdProcess;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path through the real CLI processes: keys → export → inspect → verify → import (real
 * clamd) → serve on loopback → download every file and compare bytes.
 */
class EndToEndTest {
  @TempDir Path tmp;

  @Test
  void exportInspectVerifyImportServeRoundTrip() throws Exception {
    Path sample = Cli.sample(tmp.resolve("sample"), 2);
    Cli.run("keys", "generate", "--out", tmp.resolve("keys").toString(), "--name", "ops").expect(0);
    Path trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(tmp.resolve("keys/ops.pub"), trust.resolve("ops.pub"));
    Path bundle = tmp.resolve("out/first.bundle");

    Cli.run("export", "--key", tmp.resolve("keys/ops.key").toString(), "--out", bundle.toString(), "--channel", "lab",
        "--sequence", "1", "--expires", "7d", "--files", sample.resolve("files/docs").toString(),
        "--model", sample.resolve("models/tiny-model").toString()).expect(0);
    assertTrue(Files.isRegularFile(bundle));
    try (var s = Files.list(bundle.getParent())) {
      assertEquals(1, s.count(), "only the bundle is left in the output directory (no temp files)");
    }

    // inspect: every artifact, file, size, SHA-256 and signer
    Cli.Run text = Cli.run("inspect", bundle.toString(), "--trust", trust.toString()).expect(0);
    Path weights = sample.resolve("models/tiny-model/model.safetensors");
    String weightsDigest = Digest.of(Files.readAllBytes(weights)).toString();
    assertTrue(text.out().contains(weightsDigest), text.out());
    assertTrue(text.out().contains("tiny-model/model.safetensors"), text.out());
    assertTrue(text.out().contains(Long.toString(Files.size(weights))), text.out());
    assertTrue(text.out().contains("trusted: ops"), text.out());
    assertTrue(text.out().contains("satisfied"), text.out());

    JsonNode json = Json.strict().readTree(Cli.run("inspect", bundle.toString(), "--json").expect(0).out());
    JsonNode manifest = json.get("manifest");
    assertEquals("lab", manifest.get("channel").asText());
    assertEquals(2, manifest.get("artifacts").size());
    assertEquals("model", manifest.get("artifacts").get(1).get("type").asText());
    assertEquals(1, json.get("signatures").size());

    Cli.run("verify", bundle.toString(), "--trust", trust.toString()).expect(0);

    Path mirror = tmp.resolve("mirror");
    try (ClamdProcess clamd = ClamdProcess.start(tmp.resolve("clamd"))) {
      Cli.Run imported = Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--clamd", clamd.address()).expect(0);
      assertTrue(imported.out().contains("published generation 1"), imported.out());
      Cli.Run again = Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--clamd", clamd.address()).expect(0);
      assertTrue(again.out().contains("already imported"), again.out());
    }
    Cli.run("audit", "verify", "--mirror", mirror.toString()).expect(0);

    HttpClient http = HttpClient.newHttpClient();
    int files = 0;
    try (Cli.Server server = Cli.Server.start(mirror)) {
      for (JsonNode artifact : manifest.get("artifacts")) {
        for (JsonNode f : artifact.get("files")) {
          String path = f.get("path").asText();
          Path source = path.startsWith("docs/") ? sample.resolve("files").resolve(path) : sample.resolve("models").resolve(path);
          HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(server.url("/files/lab/" + encodePath(path)))).build(),
              HttpResponse.BodyHandlers.ofByteArray());
          assertEquals(200, r.statusCode(), path);
          assertArrayEquals(Files.readAllBytes(source), r.body(), path);
          assertEquals("\"" + f.get("sha256").asText().substring(7) + "\"", r.headers().firstValue("ETag").orElseThrow(), path);
          files++;
        }
      }
      HttpResponse<String> bundleManifest = http.send(HttpRequest.newBuilder(URI.create(server.url("/bundles/" + manifest.get("bundleId").asText() + "/manifest.json"))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, bundleManifest.statusCode());
      assertEquals(Files.readString(mirror.resolve("current/bundles/" + manifest.get("bundleId").asText() + "/manifest.json")), bundleManifest.body());

      // A damaged store (a blob cut short behind the importer's back) answers a bare 500, and
      // the server's log says why, once, naming the request and the blob (not the client).
      Path blob = new MirrorLayout(mirror).blob(Digest.parse(weightsDigest));
      assertTrue(Files.isRegularFile(blob), blob.toString());
      try (var ch = java.nio.channels.FileChannel.open(blob, java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(10);
      }
      HttpResponse<String> damaged = http.send(HttpRequest.newBuilder(URI.create(server.url("/files/lab/tiny-model/model.safetensors?token=SECRET-QUERY")))
          .header("Authorization", "Bearer SECRET-HEADER").build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(500, damaged.statusCode());
      assertEquals("internal error\n", damaged.body());
      String log = awaitOutput(server, "500");
      List<String> lines = log.lines().filter(l -> l.contains("500")).toList();
      assertEquals(1, lines.size(), log);
      assertTrue(lines.get(0).contains("GET /files/lab/tiny-model/model.safetensors"), log);
      assertTrue(lines.get(0).contains(weightsDigest.substring("sha256:".length())) && lines.get(0).contains("differs"), log);
      assertTrue(!log.contains("SECRET"), log);
    }
    assertEquals(9, files, "every sample file was served");
  }

  /** The server's output once it contains {@code text} (or after 5 s). */
  static String awaitOutput(Cli.Server server, String text) throws InterruptedException {
    long end = System.nanoTime() + 5_000_000_000L;
    while (!server.output().contains(text) && System.nanoTime() < end) Thread.sleep(50);
    Thread.sleep(200); // anything logged for the same request
    return server.output();
  }

  static String encodePath(String path) {
    StringBuilder b = new StringBuilder();
    for (String seg : path.split("/")) {
      if (b.length() > 0) b.append('/');
      b.append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return b.toString();
  }
}
