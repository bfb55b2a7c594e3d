package dev.airgap.testing;

import dev.airgap.importer.scan.ClamdScanner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real ClamAV daemon for tests: its own config, signature database (one signature, for the EICAR test string; no
 * freshclam, no network), log and temp directory under {@code workDir}, listening on a free port on 127.0.0.1, running
 * as the invoking user.
 *
 * <pre>{@code
 * assumeTrue(ClamdProcess.available());
 * try (ClamdProcess clamd = ClamdProcess.start(tempDir)) {
 *   ContentScanner scanner = clamd.scanner();   // or ClamdScanner.of(clamd.address())
 * }
 * }</pre>
 *
 * Give it a {@code workDir} under {@code /tmp} (JUnit's {@code @TempDir} is): Debian/Ubuntu's AppArmor profile for
 * clamd only lets it write there.
 *
 * <p>On CI (environment variable {@code CI} set) or with {@code -Dairgap.test.requireClamd=true}, {@link #available()}
 * throws instead of returning false, so clamd tests cannot be skipped silently.
 */
public final class ClamdProcess implements AutoCloseable {
  public static final long DEFAULT_STREAM_MAX_BYTES = 64L * 1024 * 1024;
  /** Name of the test signature; clamd reports it as {@code Airgap.Test.EICAR.UNOFFICIAL}. */
  public static final String EICAR_SIGNATURE = "Airgap.Test.EICAR";

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final List<Path> CANDIDATES = List.of(Path.of("/usr/sbin/clamd"), Path.of("/usr/local/sbin/clamd"),
      Path.of("/opt/homebrew/sbin/clamd"), Path.of("/usr/local/opt/clamav/sbin/clamd"));

  private final Process process;
  private final int port;
  private final Path workDir;
  private final Thread shutdownHook;

  private ClamdProcess(Process process, int port, Path workDir) {
    this.process = process;
    this.port = port;
    this.workDir = workDir;
    this.shutdownHook = new Thread(process::destroyForcibly, "clamd-test-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts clamd with {@link #DEFAULT_STREAM_MAX_BYTES}; returns once it answers PING. */
  public static ClamdProcess start(Path workDir) {
    return builder(workDir).start();
  }

  /** Starts clamd with {@code StreamMaxLength} (and MaxFileSize, MaxScanSize) = {@code streamMaxBytes}. */
  public static ClamdProcess start(Path workDir, long streamMaxBytes) {
    return builder(workDir).streamMaxBytes(streamMaxBytes).start();
  }

  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  /** Settings beyond {@link #start(Path, long)}. */
  public static final class Builder {
    private final Path workDir;
    private long streamMaxBytes = DEFAULT_STREAM_MAX_BYTES;
    private long maxFileSizeBytes = -1;
    private long maxScanSizeBytes = -1;
    private boolean alertExceedsMax;
    private String networkNamespace;

    private Builder(Path workDir) {
      this.workDir = workDir;
    }

    /** clamd's {@code StreamMaxLength}: an INSTREAM longer than this gets {@code INSTREAM size limit exceeded}. */
    public Builder streamMaxBytes(long bytes) {
      this.streamMaxBytes = bytes;
      return this;
    }

    /** clamd's {@code MaxFileSize}; defaults to the stream limit. */
    public Builder maxFileSizeBytes(long bytes) {
      this.maxFileSizeBytes = bytes;
      return this;
    }

    /** clamd's {@code MaxScanSize}; defaults to the stream limit. */
    public Builder maxScanSizeBytes(long bytes) {
      this.maxScanSizeBytes = bytes;
      return this;
    }

    /** clamd's {@code AlertExceedsMax} (default no): report {@code Heuristics.Limits.Exceeded.*} instead of OK. */
    public Builder alertExceedsMax(boolean alert) {
      this.alertExceedsMax = alert;
      return this;
    }

    /**
     * Runs clamd inside the named network namespace ({@code ip netns exec NAME}), listening on that namespace's
     * loopback; readiness is then checked over a Unix socket next to its config, as the test's own namespace cannot
     * reach that loopback.
     */
    public Builder networkNamespace(String name) {
      this.networkNamespace = name;
      return this;
    }

    public ClamdProcess start() {
      if (streamMaxBytes <= 0) {
        throw new IllegalArgumentException("streamMaxBytes must be positive");
      }
      try {
        return ClamdProcess.start(this);
      } catch (IOException e) {
        throw new UncheckedIOException("starting clamd in " + workDir, e);
      }
    }
  }

  /**
   * Whether a clamd binary is installed. On CI ({@code CI} set) or with {@code -Dairgap.test.requireClamd=true} a
   * missing clamd is an error, not a skip.
   */
  public static boolean available() {
    if (clamdBinary() != null) {
      return true;
    }
    String ci = System.getenv("CI");
    if ((ci != null && !ci.isEmpty() && !ci.equalsIgnoreCase("false")) || Boolean.getBoolean("airgap.test.requireClamd")) {
      throw new IllegalStateException("clamd not found on PATH or in /usr/sbin, but this is CI (or"
          + " airgap.test.requireClamd is set): install clamav-daemon");
    }
    return false;
  }

  /** The EICAR anti-virus test string (68 bytes), assembled at run time so no source file contains it. */
  public static String eicar() {
    return new StringBuilder()
        .append("X5O!P%@AP[4\\PZX54(P^)7CC)7}$")
        .append("EICAR-STANDARD-")
        .append("ANTIVIRUS-TEST-")
        .append("FILE!$H+H*")
        .toString();
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:PORT}, as {@code --clamd} takes it. */
  public String address() {
    return host() + ":" + port;
  }

  /** A scanner for this clamd with default timeouts. */
  public ClamdScanner scanner() {
    return new ClamdScanner(new ClamdScanner.Address(host(), port));
  }

  public Path workDir() {
    return workDir;
  }

  public Path logFile() {
    return workDir.resolve("clamd.log");
  }

  /** clamd's log file and its stdout/stderr, for failure messages. */
  public String log() {
    return readLog(workDir);
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** Stops clamd (SIGTERM, then SIGKILL after 10 s) and waits for it to exit; its port then refuses connections. */
  public void stop() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException ignored) {
      // JVM shutting down, or already removed
    }
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "clamd " + address() + " (" + workDir + ")";
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static ClamdProcess start(Builder b) throws IOException {
    Path clamd = clamdBinary();
    if (clamd == null) {
      throw new IllegalStateException("clamd not found on PATH or in /usr/sbin (install clamav-daemon)");
    }
    Path workDir = b.workDir.toAbsolutePath();
    Path db = Files.createDirectories(workDir.resolve("db"));
    Path tmp = Files.createDirectories(workDir.resolve("tmp"));
    Files.writeString(db.resolve("airgap-test.ndb"), EICAR_SIGNATURE + ":0:*:"
        + HexFormat.of().formatHex(eicar().getBytes(StandardCharsets.US_ASCII)) + "\n", StandardCharsets.US_ASCII);
    long maxFile = b.maxFileSizeBytes > 0 ? b.maxFileSizeBytes : b.streamMaxBytes;
    long maxScan = b.maxScanSizeBytes > 0 ? b.maxScanSizeBytes : b.streamMaxBytes;

    IllegalStateException lastFailure = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = freePort();
      Path control = workDir.resolve("clamd.ctl");
      Path conf = workDir.resolve("clamd.conf");
      Files.writeString(conf, String.join("\n",
          "# written by dev.airgap.testing.ClamdProcess",
          "Foreground yes",
          "TCPSocket " + port,
          "TCPAddr 127.0.0.1",
          "DatabaseDirectory " + db,
          "TemporaryDirectory " + tmp,
          "LogFile " + workDir.resolve("clamd.log"),
          "LogTime yes",
          "PidFile " + workDir.resolve("clamd.pid"),
          "StreamMaxLength " + b.streamMaxBytes,
          "MaxFileSize " + maxFile,
          "MaxScanSize " + maxScan,
          "AlertExceedsMax " + (b.alertExceedsMax ? "yes" : "no"),
          "MaxThreads 4",
          "SelfCheck 0",
          b.networkNamespace == null ? "" : "LocalSocket " + control,
          "") , StandardCharsets.US_ASCII);
      Files.deleteIfExists(workDir.resolve("clamd.log"));
      Files.deleteIfExists(control);
      List<String> command = b.networkNamespace == null ? List.of(clamd.toString(), "--config-file=" + conf)
          : List.of("ip", "netns", "exec", b.networkNamespace, clamd.toString(), "--config-file=" + conf);
      Process process = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(workDir.resolve("clamd.out").toFile())
          .start();
      ClamdProcess started = new ClamdProcess(process, port, workDir);
      long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        if (b.networkNamespace == null ? pong(port) : pong(control)) {
          return started;
        }
        if (!process.isAlive()) {
          break;
        }
        sleep(100);
      }
      started.stop();
      String log = readLog(workDir);
      lastFailure = new IllegalStateException("clamd did not answer PING on 127.0.0.1:" + port + " within "
          + STARTUP_TIMEOUT.toSeconds() + " s (exit " + (process.isAlive() ? "-" : process.exitValue()) + ")"
          + (workDir.startsWith("/tmp") ? "" : "; note: the packaged AppArmor profile for clamd only lets it write"
              + " under /tmp, and workDir is " + workDir)
          + "; log:\n" + log);
      if (!log.contains("already in use")) {
        throw lastFailure;
      }
      // lost the race for the port: try another one
    }
    throw lastFailure;
  }

  private static Path clamdBinary() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          Path p = Path.of(dir, "clamd");
          if (Files.isRegularFile(p) && Files.isExecutable(p)) {
            return p;
          }
        }
      }
    }
    for (Path p : CANDIDATES) {
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static boolean pong(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write("zPING\0".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] reply = in.readNBytes(5);
      return new String(reply, StandardCharsets.US_ASCII).equals("PONG\0");
    } catch (IOException e) {
      return false;
    }
  }

  /** PING over clamd's Unix socket (blocking; clamd answers at once once it listens). */
  private static boolean pong(Path socket) {
    if (!Files.exists(socket)) {
      return false;
    }
    try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      s.write(ByteBuffer.wrap("zPING\0".getBytes(StandardCharsets.US_ASCII)));
      ByteBuffer reply = ByteBuffer.allocate(5);
      while (reply.hasRemaining() && s.read(reply) >= 0) {
        // PONG\0 is five bytes
      }
      return new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII).equals("PONG\0");
    } catch (IOException e) {
      return false;
    }
  }

  private static String readLog(Path workDir) {
    StringBuilder b = new StringBuilder();
    for (String name : List.of("clamd.log", "clamd.out")) {
      Path p = workDir.resolve(name);
      try {
        if (Files.exists(p)) {
          String text = Files.readString(p, StandardCharsets.ISO_8859_1);
          b.append("--- ").append(name).append('\n')
              .append(text.length() > 8000 ? "..." + text.substring(text.length() - 8000) : text);
        }
      } catch (IOException e) {
        b.append("--- ").append(name).append(": ").append(e).append('\n');
      }
    }
    return b.toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for clamd", e);
    }
  }
}
