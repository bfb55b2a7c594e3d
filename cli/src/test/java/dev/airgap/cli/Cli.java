package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the real {@code airgap} CLI as a separate JVM process, as a user would. */
final class Cli {
  /** Exit code and both output streams of one run. */
  record Run(int exitCode, String out, String err, List<String> args) {
    Run expect(int code) {
      assertEquals(code, exitCode, () -> "airgap " + String.join(" ", args) + " exited " + exitCode + "\nstdout: " + out + "\nstderr: " + err);
      return this;
    }

    /** The single line on stderr (errors are one line). */
    String errorLine() {
      String trimmed = err.strip();
      assertEquals(1, trimmed.lines().count(), () -> "expected one stderr line, got:\n" + err);
      return trimmed;
    }
  }

  private Cli() {}

  static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  static Run run(String... args) {
    try {
      Path out = Files.createTempFile("airgap-out", ".txt");
      Path err = Files.createTempFile("airgap-err", ".txt");
      try {
        Process p = new ProcessBuilder(command(args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new AssertionError("airgap " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err), List.of(args));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static Process start(String... args) throws IOException {
    return new ProcessBuilder(command(args)).redirectErrorStream(true).start();
  }

  /** A running {@code airgap serve} on a free loopback port. */
  static final class Server implements AutoCloseable {
    final Process process;
    final int port;

    private Server(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    static Server start(Path mirror) throws IOException {
      Process p = Cli.start("serve", "--mirror", mirror.toString(), "--bind", "127.0.0.1", "--port", "0");
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      Pattern url = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/");
      StringBuilder seen = new StringBuilder();
      String line;
      while ((line = r.readLine()) != null) {
        seen.append(line).append('\n');
        Matcher m = url.matcher(line);
        if (m.find()) {
          Thread drain = new Thread(() -> {
            try {
              r.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
              // process ended
            }
          });
          drain.setDaemon(true);
          drain.start();
          return new Server(p, Integer.parseInt(m.group(1)));
        }
      }
      throw new AssertionError("serve did not start:\n" + seen);
    }

    String url(String path) {
      return "http://127.0.0.1:" + port + path;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    }
  }

  /** Builds the sample data with the repository's own script (testdata/make-sample.sh). */
  static Path sample(Path dir, int weightMib) throws IOException, InterruptedException {
    Path script = repoRoot().resolve("testdata/make-sample.sh");
    Process p = new ProcessBuilder("bash", script.toString(), dir.toString(), Integer.toString(weightMib)).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), output);
    return dir;
  }

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("testdata/make-sample.sh"))) p = p.getParent();
    if (p == null) throw new AssertionError("repository root not found");
    return p;
  }
}
