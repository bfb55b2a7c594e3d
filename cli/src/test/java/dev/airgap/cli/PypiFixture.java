package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The PyPI test fixture (testdata/pypi/make-index.py), a loopback static server for it, and the machine's real pip. */
final class PypiFixture {
  private PypiFixture() {}

  /** Builds the fixture index into {@code dir}: {@code dir/simple/...}, {@code dir/files/...}. */
  static Path build(Path dir) throws IOException, InterruptedException {
    return build(dir, null);
  }

  /** As {@link #build(Path)}; a {@code revision} changes the bytes of the alpha wheels only. */
  static Path build(Path dir, String revision) throws IOException, InterruptedException {
    Path script = Cli.repoRoot().resolve("testdata/pypi/make-index.py");
    List<String> cmd = new ArrayList<>(List.of("python3", script.toString(), dir.toString()));
    if (revision != null) cmd.add(revision);
    run(cmd, null);
    return dir;
  }

  /** A static file server on 127.0.0.1 (a directory answers its index.html), like a plain PEP 503 host. */
  static final class StaticServer implements AutoCloseable {
    final HttpServer server;
    final Path root;

    StaticServer(Path root) throws IOException {
      this.root = root.toAbsolutePath().normalize();
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", exchange -> {
        try (exchange) {
          String path = exchange.getRequestURI().getPath();
          Path file = this.root.resolve(path.substring(1)).normalize();
          if (!file.startsWith(this.root)) file = this.root.resolve("missing");
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

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** A fresh venv without pip; the machine's pip installs into it, isolated from its global configuration. */
  static Path venv(Path dir) throws IOException, InterruptedException {
    run(List.of("python3", "-m", "venv", "--without-pip", dir.toString()), null);
    return dir;
  }

  /** {@code pip --isolated install --index-url INDEX --no-cache-dir ARGS} into {@code venv}; returns exit code and output. */
  static Cli.Run pipInstall(Path venv, String indexUrl, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("python3", "-m", "pip", "--isolated", "--disable-pip-version-check", "--python", venv.resolve("bin/python").toString(),
        "install", "--index-url", indexUrl, "--no-cache-dir"));
    cmd.addAll(List.of(args));
    return run(cmd, null, false);
  }

  /** Runs the venv's python with {@code -c code}; returns stdout. */
  static String python(Path venv, String code) throws IOException, InterruptedException {
    return run(List.of(venv.resolve("bin/python").toString(), "-c", code), null).out().strip();
  }

  static Cli.Run run(List<String> cmd, Path cwd) throws IOException, InterruptedException {
    Cli.Run r = run(cmd, cwd, false);
    assertEquals(0, r.exitCode(), () -> String.join(" ", cmd) + "\n" + r.out() + r.err());
    return r;
  }

  private static Cli.Run run(List<String> cmd, Path cwd, boolean ignored) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (cwd != null) pb.directory(cwd.toFile());
    pb.environment().remove("PIP_FIND_LINKS");
    pb.environment().remove("PIP_EXTRA_INDEX_URL");
    pb.environment().remove("PIP_INDEX_URL");
    pb.environment().put("PIP_CONFIG_FILE", "/dev/null");
    Path out = Files.createTempFile("pypi-out", ".txt");
    Path err = Files.createTempFile("pypi-err", ".txt");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(3, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not finish");
      }
      return new Cli.Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), cmd);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
