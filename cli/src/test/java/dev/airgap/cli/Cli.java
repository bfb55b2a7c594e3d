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
    return exec(command(args), args);
  }

  /**
   * JVM flags for short-lived CLI runs that do little work (a rejected import): C1 only and the
   * serial collector start about twice as fast on a small machine.
   */
  static final List<String> QUICK_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /** {@link #run} on the {@linkplain #stableClassPath() stable class path}, with {@link #QUICK_JVM}. */
  static Run runQuick(String... args) {
    return runStable(QUICK_JVM, args);
  }

  /** {@link #run} on the {@linkplain #stableClassPath() stable class path}, with extra JVM flags. */
  static Run runStable(List<String> jvmFlags, String... args) {
    return exec(stableCommand(jvmFlags, args), args);
  }

  /** {@link #start} on the {@linkplain #stableClassPath() stable class path}. */
  static Process startStable(List<String> jvmFlags, String... args) throws IOException {
    return new ProcessBuilder(stableCommand(jvmFlags, args)).redirectErrorStream(true).start();
  }

  /** Like {@link #command}, but on {@link #stableClassPath()} and with extra JVM flags. */
  static List<String> stableCommand(List<String> jvmFlags, String... args) {
    List<String> cmd = command(args);
    cmd.set(cmd.indexOf("-cp") + 1, stableClassPath());
    cmd.addAll(1, jvmFlags);
    return cmd;
  }

  private static String stableClassPath;

  /**
   * The test class path with every entry that a concurrent {@code mvn install} or compile may
   * rewrite (the project's own SNAPSHOT jars in the local repository, and {@code target/}
   * directories) copied once per test JVM to a private directory, so that a long test class does
   * not start CLI processes on a half-written jar.
   */
  static synchronized String stableClassPath() {
    if (stableClassPath != null) return stableClassPath;
    try {
      Path dir = Files.createTempDirectory("airgap-cli-classpath");
      List<String> entries = new ArrayList<>();
      int i = 0;
      for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        Path p = Path.of(entry);
        boolean ours = entry.contains("/dev/airgap/") || entry.contains("/target/");
        if (!ours || !Files.exists(p)) {
          entries.add(entry);
          continue;
        }
        Path copy = dir.resolve((i++) + "-" + p.getFileName());
        if (Files.isDirectory(p)) {
          try (var walk = Files.walk(p)) {
            for (Path f : walk.toList()) {
              Path to = copy.resolve(p.relativize(f).toString());
              if (Files.isDirectory(f)) Files.createDirectories(to);
              else Files.copy(f, to);
            }
          }
        } else {
          Files.copy(p, copy);
        }
        entries.add(copy.toString());
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
      stableClassPath = String.join(java.io.File.pathSeparator, entries);
      return stableClassPath;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) {
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException | RuntimeException ignored) {
      // temp files; best effort
    }
  }

  private static Run exec(List<String> command, String... args) {
    try {
      Path out = Files.createTempFile("airgap-out", ".txt");
      Path err = Files.createTempFile("airgap-err", ".txt");
      try {
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
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
    /** What the server printed (stdout and stderr) after its start-up line. */
    private final StringBuffer output = new StringBuffer();

    private Server(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    /** The server's log so far: its stdout and stderr after the start-up line. */
    String output() {
      return output.toString();
    }

    static Server start(Path mirror) throws IOException {
      return attach(Cli.start("serve", "--mirror", mirror.toString(), "--bind", "127.0.0.1", "--port", "0"));
    }

    /** {@link #start} on the {@linkplain Cli#stableClassPath() stable class path}. */
    static Server startStable(Path mirror) throws IOException {
      return attach(Cli.startStable(List.of(), "serve", "--mirror", mirror.toString(), "--bind", "127.0.0.1", "--port", "0"));
    }

    static Server attach(Process p) throws IOException {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      Pattern url = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/");
      StringBuilder seen = new StringBuilder();
      String line;
      while ((line = r.readLine()) != null) {
        seen.append(line).append('\n');
        Matcher m = url.matcher(line);
        if (m.find()) {
          Server server = new Server(p, Integer.parseInt(m.group(1)));
          Thread drain = new Thread(() -> {
            try {
              String more;
              while ((more = r.readLine()) != null) server.output.append(more).append('\n');
            } catch (IOException ignored) {
              // process ended
            }
          });
          drain.setDaemon(true);
          drain.start();
          return server;
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
