package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The apt test fixture (testdata/apt/make-upstream.sh: .debs built with dpkg-deb, published and
 * signed by aptly), a loopback HTTP server for a repository directory, and a private apt-get
 * configuration that leaves the machine's apt setup alone.
 */
final class AptFixture {
  private AptFixture() {}

  static Path build(Path dir) throws IOException, InterruptedException {
    Path script = Cli.repoRoot().resolve("testdata/apt/make-upstream.sh");
    Process p = new ProcessBuilder("bash", script.toString(), dir.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), output);
    return dir;
  }

  /** A static file server on 127.0.0.1 for a directory (symlinks followed, nothing outside it). */
  static final class FileServer implements AutoCloseable {
    final HttpServer server;

    FileServer(Path root) throws IOException {
      this(root, false);
    }

    /**
     * A server that answers a missing {@code pool/} file with the placeholder bytes
     * testdata/apt/make-large-upstream.py puts in the indexes it rewrites from real ones.
     */
    static FileServer withPlaceholders(Path root) throws IOException {
      return new FileServer(root, true);
    }

    private FileServer(Path root, boolean placeholders) throws IOException {
      Path base = root.toRealPath();
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.setExecutor(Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "apt-fixture-server");
        t.setDaemon(true);
        return t;
      }));
      server.createContext("/", exchange -> {
        try (exchange) {
          String relative = exchange.getRequestURI().getPath().substring(1);
          Path file = base.resolve(relative).normalize();
          if (placeholders && relative.startsWith("pool/") && file.startsWith(base) && !Files.exists(file)) {
            byte[] body = ("airgap test placeholder for " + relative + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            if (!exchange.getRequestMethod().equals("HEAD")) exchange.getResponseBody().write(body);
            return;
          }
          if (!file.startsWith(base) || !Files.isRegularFile(file)) {
            exchange.sendResponseHeaders(404, -1);
            return;
          }
          exchange.sendResponseHeaders(200, Files.size(file));
          if (!exchange.getRequestMethod().equals("HEAD")) {
            try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
              in.transferTo(out);
            }
          }
        }
      });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** apt-get with its own sources, keys, state and cache under {@code dir}. */
  record AptGet(Path dir) {
    static AptGet create(Path dir, String sourcesLine) throws IOException {
      for (String d : List.of("sources.list.d", "trusted.gpg.d", "preferences.d", "apt.conf.d", "state/lists/partial", "cache/archives/partial", "download")) {
        Files.createDirectories(dir.resolve(d));
      }
      Files.writeString(dir.resolve("sources.list"), sourcesLine + "\n");
      Files.writeString(dir.resolve("apt.conf"), "");
      return new AptGet(dir);
    }

    List<String> options() {
      Map<String, String> o = new java.util.LinkedHashMap<>();
      o.put("Dir::Etc::sourcelist", dir.resolve("sources.list").toString());
      o.put("Dir::Etc::sourceparts", dir.resolve("sources.list.d").toString());
      o.put("Dir::Etc::trusted", dir.resolve("trusted.gpg").toString());
      o.put("Dir::Etc::trustedparts", dir.resolve("trusted.gpg.d").toString());
      o.put("Dir::Etc::preferences", dir.resolve("preferences").toString());
      o.put("Dir::Etc::preferencesparts", dir.resolve("preferences.d").toString());
      o.put("Dir::Etc::parts", dir.resolve("apt.conf.d").toString());
      o.put("Dir::State", dir.resolve("state").toString());
      o.put("Dir::Cache", dir.resolve("cache").toString());
      o.put("Dir::State::status", "/var/lib/dpkg/status");
      o.put("APT::Architecture", "amd64");
      o.put("Acquire::Languages", "none");
      o.put("APT::Sandbox::User", "root");
      o.put("Debug::NoLocking", "1");
      List<String> args = new ArrayList<>();
      o.forEach((k, v) -> {
        args.add("-o");
        args.add(k + "=" + v);
      });
      return args;
    }

    /** Runs apt-get with the private configuration; returns exit code and combined output. */
    Cli.Run run(String... args) throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(List.of("apt-get", "-q"));
      cmd.addAll(options());
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.resolve("download").toFile()).redirectErrorStream(true);
      pb.environment().put("APT_CONFIG", dir.resolve("apt.conf").toString()); // not the machine's /etc/apt/apt.conf
      pb.environment().put("LC_ALL", "C");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Cli.Run(p.waitFor(), out, "", cmd);
    }

    Path archives() {
      return dir.resolve("cache/archives");
    }
  }
}
