package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * OCI test fixtures: the images built by {@code testdata/oci/make-images.py}, Debian's {@code
 * docker-registry} (CNCF distribution) on loopback as the upstream, and the real {@code skopeo}.
 */
final class OciFixtures {
  private OciFixtures() {}

  static boolean toolsAvailable() {
    return onPath("skopeo") && onPath("docker-registry") && onPath("python3");
  }

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) return true;
    }
    return false;
  }

  /** Builds the images into {@code out} and returns expected.json. */
  static JsonNode makeImages(Path out, int variant) throws Exception {
    run(List.of("python3", Cli.repoRoot().resolve("testdata/oci/make-images.py").toString(), out.toString(), Integer.toString(variant)));
    return Json.strict().readTree(out.resolve("expected.json").toFile());
  }

  /** Runs a command; fails the test with its output unless it exits 0. Returns the output. */
  static String run(List<String> command) throws Exception {
    ProcessResult r = exec(command);
    assertEquals(0, r.exitCode(), () -> String.join(" ", command) + " failed:\n" + r.output());
    return r.output();
  }

  record ProcessResult(int exitCode, String output) {}

  static ProcessResult exec(List<String> command) throws Exception {
    Path log = Files.createTempFile("oci-cmd", ".log");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(3, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish");
      }
      return new ProcessResult(p.exitValue(), Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  static List<String> skopeo(String... args) {
    List<String> cmd = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Pushes one tag of a layout with skopeo, byte for byte. */
  static void push(Path layout, String tag, String target, boolean all) throws Exception {
    List<String> args = new ArrayList<>(List.of("copy", "--dest-tls-verify=false", "--preserve-digests"));
    if (all) args.add("--all");
    args.add("oci:" + layout + ":" + tag);
    args.add("docker://" + target);
    run(skopeo(args.toArray(String[]::new)));
  }

  /** Pushes what skopeo will not copy unchanged (OCI 1.1 artifacts, the referrers fallback index). */
  static void pushRaw(String registryUrl, String repository, Path layout, String tag) throws Exception {
    run(List.of("python3", Cli.repoRoot().resolve("testdata/oci/push-raw.py").toString(), registryUrl, repository, layout.toString(), tag));
  }

  /** Debian's docker-registry on a free loopback port, filesystem storage under {@code dir}. */
  static final class Registry implements AutoCloseable {
    final Process process;
    final int port;
    final Path storage;

    private Registry(Process process, int port, Path storage) {
      this.process = process;
      this.port = port;
      this.storage = storage;
    }

    static Registry start(Path dir) throws Exception {
      Files.createDirectories(dir);
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Path storage = dir.resolve("storage");
      Path config = dir.resolve("config.yml");
      Files.writeString(config, String.join("\n",
          "version: 0.1",
          "log:",
          "  level: warn",
          "storage:",
          "  filesystem:",
          "    rootdirectory: " + storage,
          "  delete:",
          "    enabled: false",
          "http:",
          "  addr: 127.0.0.1:" + port,
          ""));
      Process p = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
      Registry r = new Registry(p, port, storage);
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < 100; i++) {
        try {
          HttpResponse<Void> res = http.send(HttpRequest.newBuilder(URI.create(r.url() + "/v2/")).build(), HttpResponse.BodyHandlers.discarding());
          if (res.statusCode() == 200) return r;
        } catch (IOException e) {
          // not listening yet
        }
        if (!p.isAlive()) break;
        Thread.sleep(100);
      }
      r.close();
      throw new AssertionError("docker-registry did not start: " + Files.readString(dir.resolve("registry.log"), StandardCharsets.UTF_8));
    }

    String url() {
      return "http://127.0.0.1:" + port;
    }

    String host() {
      return "127.0.0.1:" + port;
    }

    /** The file the registry serves a blob from (its filesystem driver's layout). */
    Path blobData(String digest) {
      String hex = digest.substring("sha256:".length());
      return storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    }
  }
}
