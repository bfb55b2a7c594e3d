package dev.airgap.exporter.source.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resolver against a real HTTP upstream (the JDK's HTTP server on loopback serving a maven2
 * tree): how it talks to the upstream (connections kept alive and shared, POMs read in parallel,
 * one checksum request per file), and that checksums are still verified.
 */
class MavenResolverHttpTest {
  private static final int LIBRARIES = 24;

  @TempDir Path tmp;
  private HttpServer server;
  private ExecutorService serverThreads;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
  private final AtomicInteger pomsInFlight = new AtomicInteger();
  private final AtomicInteger maxPomsInFlight = new AtomicInteger();

  @BeforeEach
  void serve() throws IOException {
    Path repo = tmp.resolve("upstream");
    List<String> libraries = new ArrayList<>();
    for (int i = 0; i < LIBRARIES; i++) {
      publish(repo, "com.example", "lib" + i, "1.0", List.of());
      libraries.add("com.example:lib" + i + ":1.0");
    }
    publish(repo, "com.example", "app", "1.0", libraries);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    serverThreads = Executors.newFixedThreadPool(16);
    server.setExecutor(serverThreads);
    server.createContext("/maven2/", exchange -> serveFile(repo, exchange));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    serverThreads.shutdownNow();
  }

  private void serveFile(Path repo, HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath().substring("/maven2/".length());
    requests.add(path);
    clientPorts.add(exchange.getRemoteAddress().getPort());
    boolean pom = path.endsWith(".pom");
    if (pom) maxPomsInFlight.accumulateAndGet(pomsInFlight.incrementAndGet(), Math::max);
    try {
      if (pom) Thread.sleep(20); // a little upstream latency, so that requests can overlap
      Path file = repo.resolve(path).normalize();
      if (!file.startsWith(repo) || !Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] body = Files.readAllBytes(file);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (pom) pomsInFlight.decrementAndGet();
      exchange.close();
    }
  }

  private MavenResolver resolver() {
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/maven2/";
    return new MavenResolver(List.of(MavenResolver.repository("upstream", url)), tmp.resolve("local").toFile());
  }

  @Test
  void connectionsAreKeptAliveAndSharedAcrossDownloads() {
    try (MavenResolver resolver = resolver()) {
      resolver.artifact(new DefaultArtifact("com.example:app:1.0"), true, "test");
      assertEquals(2 * (LIBRARIES + 1), resolver.resolvedFiles().size(), "every POM and jar");
    }
    // 50 files (each with its checksum): one connection per download would be 50 connections
    assertTrue(clientPorts.size() <= MavenResolver.PARALLEL_DOWNLOADS, clientPorts.size() + " connections for " + requests.size() + " requests");
  }

  @Test
  void dependencyPomsAreReadInParallel() {
    try (MavenResolver resolver = resolver()) {
      resolver.artifact(new DefaultArtifact("com.example:app:1.0"), true, "test");
    }
    assertTrue(maxPomsInFlight.get() > 1, "POM requests in flight at once: " + maxPomsInFlight.get());
    assertTrue(maxPomsInFlight.get() <= MavenResolver.PARALLEL_DOWNLOADS, "bounded: " + maxPomsInFlight.get());
  }

  @Test
  void aMatchingSha256IsEnoughTheSha1IsNotFetched() {
    try (MavenResolver resolver = resolver()) {
      resolver.artifact(new DefaultArtifact("com.example:app:1.0"), true, "test");
    }
    assertTrue(requests.stream().noneMatch(r -> r.endsWith(".sha1")), "no .sha1 requests: " + requests);
    assertEquals(2 * 2 * (LIBRARIES + 1), requests.size(), "each file and its .sha256, once: " + requests);
  }

  @Test
  void withoutSha256TheSha1IsVerified() throws IOException {
    Path lib = tmp.resolve("upstream/com/example/lib3/1.0");
    Files.delete(lib.resolve("lib3-1.0.jar.sha256"));
    Files.writeString(lib.resolve("lib3-1.0.jar"), "tampered\n");
    try (MavenResolver resolver = resolver()) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> resolver.artifact(new DefaultArtifact("com.example:app:1.0"), true, "test"));
      assertTrue(e.getMessage().contains("com.example:lib3:jar:1.0"), e.getMessage());
    }
    assertTrue(requests.contains("com/example/lib3/1.0/lib3-1.0.jar.sha1"), "fell back to the SHA-1");
  }

  @Test
  void aMismatchingSha256FailsEvenWhenTheSha1Matches() throws IOException {
    Path lib = tmp.resolve("upstream/com/example/lib5/1.0");
    Files.writeString(lib.resolve("lib5-1.0.jar.sha256"), "0".repeat(64));
    try (MavenResolver resolver = resolver()) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> resolver.artifact(new DefaultArtifact("com.example:app:1.0"), true, "test"));
      assertTrue(e.getMessage().contains("com.example:lib5:jar:1.0"), e.getMessage());
    }
  }

  /** {@code g:a:v} with jar packaging, depending on {@code dependencies}; .sha256 and .sha1 beside each file. */
  private static void publish(Path repo, String groupId, String artifactId, String version, List<String> dependencies) throws IOException {
    StringBuilder deps = new StringBuilder();
    for (String d : dependencies) {
      String[] gav = d.split(":");
      deps.append("<dependency><groupId>").append(gav[0]).append("</groupId><artifactId>").append(gav[1])
          .append("</artifactId><version>").append(gav[2]).append("</version></dependency>");
    }
    String pom = "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion><groupId>" + groupId + "</groupId><artifactId>"
        + artifactId + "</artifactId><version>" + version + "</version><dependencies>" + deps + "</dependencies></project>\n";
    Path dir = Files.createDirectories(repo.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version));
    write(dir.resolve(artifactId + "-" + version + ".pom"), pom.getBytes(StandardCharsets.UTF_8));
    write(dir.resolve(artifactId + "-" + version + ".jar"), (artifactId + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes);
    Files.writeString(file.resolveSibling(file.getFileName() + ".sha1"), hex("SHA-1", bytes));
    Files.writeString(file.resolveSibling(file.getFileName() + ".sha256"), hex("SHA-256", bytes));
  }

  private static String hex(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
