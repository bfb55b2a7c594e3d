package dev.airgap.exporter.source.pypi;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The PyPI test fixture (testdata/pypi/make-index.py, as the CLI's end-to-end tests use it) built
 * into a directory and served by a static HTTP server on 127.0.0.1, like a plain PEP 503 host.
 */
final class FixtureIndex implements AutoCloseable {
  final Path root;
  private final HttpServer server;

  private FixtureIndex(Path root) throws IOException {
    this.root = root;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
        if (!file.startsWith(root)) file = root.resolve("missing");
        if (Files.isDirectory(file)) file = file.resolve("index.html");
        if (!Files.isRegularFile(file)) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        exchange.getResponseHeaders().set("Content-Type", file.toString().endsWith(".html") ? "text/html" : "application/octet-stream");
        exchange.sendResponseHeaders(200, Files.size(file));
        try (OutputStream out = exchange.getResponseBody()) {
          Files.copy(file, out);
        }
      }
    });
    server.start();
  }

  /** Builds the fixture into {@code dir} ({@code dir/simple/...}, {@code dir/files/...}) and serves it. */
  static FixtureIndex start(Path dir) throws IOException, InterruptedException {
    Path script = repoRoot().resolve("testdata/pypi/make-index.py");
    Process p = new ProcessBuilder("python3", script.toString(), dir.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IOException("make-index.py failed: " + output);
    return new FixtureIndex(dir.toAbsolutePath().normalize());
  }

  /** The simple index's URL. */
  URI simple() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/simple/");
  }

  private static Path repoRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("testdata/pypi/make-index.py"))) return d;
    }
    throw new IllegalStateException("testdata/pypi/make-index.py not found above " + Path.of("").toAbsolutePath());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
