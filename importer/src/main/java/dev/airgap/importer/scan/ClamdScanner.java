package dev.airgap.importer.scan;

import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link ContentScanner} backed by a ClamAV daemon over TCP, using clamd's {@code INSTREAM} command (the file is
 * streamed in chunks; clamd does not need to see our filesystem). One connection per file.
 *
 * <p>Fails closed: clamd unreachable, timing out, closing the connection or replying anything that is not its protocol
 * throws {@link EnvironmentException}; only a complete {@code stream: OK} reply to a completely sent file is CLEAN.
 * A per-file error reply ({@code INSTREAM size limit exceeded. ERROR}, a scan error) is {@code UNSCANNABLE}, and so is
 * {@code Heuristics.Limits.Exceeded.*} (what clamd reports with {@code AlertExceedsMax yes}).
 *
 * <p>clamd configuration matters: with {@code MaxFileSize}/{@code MaxScanSize} below {@code StreamMaxLength} and
 * {@code AlertExceedsMax no} (clamd's defaults), clamd answers {@code OK} for content it skipped. Run clamd with
 * {@code MaxFileSize}, {@code MaxScanSize} at least {@code StreamMaxLength}, or with {@code AlertExceedsMax yes}.
 *
 * <p>This speaks the clamd protocol directly rather than through xyz.capybara:clamav-client 2.1.2, which has no
 * connect/read/write timeouts, loses clamd's size-limit reply (reports "Broken pipe" instead), ends the stream early on
 * a short read, and needs slf4j-api at run time.
 *
 * <p>Thread-safe; immutable.
 */
public final class ClamdScanner implements ContentScanner {
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Longest clamd may go without accepting data or, after the stream, without replying (scanning a GB file). */
  public static final Duration DEFAULT_IO_TIMEOUT = Duration.ofMinutes(10);

  static final int CHUNK_SIZE = 64 * 1024;
  private static final long PING_REPLY_TIMEOUT_MILLIS = 30_000;
  /** How long to wait for clamd's explanation after it closed the connection in the middle of the stream. */
  private static final long LAST_WORDS_TIMEOUT_MILLIS = 2_000;
  private static final Pattern FOUND = Pattern.compile("stream: (\\S(?:.*\\S)?) FOUND");
  private static final Pattern ERROR = Pattern.compile("(?:stream: )?(.*?)\\.? ERROR");
  private static final String LIMITS_EXCEEDED = "Heuristics.Limits.Exceeded";

  private final Address address;
  private final long connectTimeoutMillis;
  private final long ioTimeoutMillis;

  /** clamd's TCP address. {@link #toString()} gives {@code host:port}, or {@code [v6]:port}. */
  public record Address(String host, int port) {
    public Address {
      Objects.requireNonNull(host, "host");
      if (host.isEmpty()) {
        throw new IllegalArgumentException("empty host");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
    }

    @Override
    public String toString() {
      return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  public ClamdScanner(Address address) {
    this(address, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IO_TIMEOUT);
  }

  /**
   * @param connectTimeout longest wait for the TCP connection
   * @param ioTimeout longest clamd may go without accepting stream data, or without replying once the whole file was
   *     sent (it scans before replying, so allow for the largest file)
   */
  public ClamdScanner(Address address, Duration connectTimeout, Duration ioTimeout) {
    this.address = Objects.requireNonNull(address, "address");
    this.connectTimeoutMillis = positiveMillis(connectTimeout, "connectTimeout");
    this.ioTimeoutMillis = positiveMillis(ioTimeout, "ioTimeout");
  }

  /** {@code new ClamdScanner(parseAddress(hostPort))}. */
  public static ClamdScanner of(String hostPort) {
    return new ClamdScanner(parseAddress(hostPort));
  }

  /**
   * Parses {@code HOST:PORT}: {@code 127.0.0.1:3310}, {@code clamd.internal:3310}, {@code [::1]:3310}. An IPv6 literal
   * must be in brackets; the port is required.
   *
   * @throws UsageException on anything else
   */
  public static Address parseAddress(String hostPort) {
    if (hostPort == null || hostPort.isEmpty()) {
      throw badAddress(hostPort, "empty");
    }
    for (int i = 0; i < hostPort.length(); i++) {
      char c = hostPort.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw badAddress(hostPort, "contains whitespace or non-ASCII characters");
      }
    }
    String host;
    String portText;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw badAddress(hostPort, "missing ']'");
      }
      host = hostPort.substring(1, close);
      if (!host.contains(":") || !host.matches("[0-9A-Fa-f:.]+(%[0-9A-Za-z._-]+)?")) {
        throw badAddress(hostPort, "not an IPv6 address in brackets");
      }
      String rest = hostPort.substring(close + 1);
      if (!rest.startsWith(":")) {
        throw badAddress(hostPort, "missing ':PORT'");
      }
      portText = rest.substring(1);
    } else {
      int colon = hostPort.lastIndexOf(':');
      if (colon < 0) {
        throw badAddress(hostPort, "missing ':PORT'");
      }
      host = hostPort.substring(0, colon);
      portText = hostPort.substring(colon + 1);
      if (host.contains(":")) {
        throw badAddress(hostPort, "an IPv6 address must be in brackets, e.g. [::1]:3310");
      }
      if (host.isEmpty()) {
        throw badAddress(hostPort, "missing HOST");
      }
      if (!host.matches("[A-Za-z0-9._-]+")) {
        throw badAddress(hostPort, "not a host name or IPv4 address");
      }
    }
    if (!portText.matches("[0-9]{1,5}")) {
      throw badAddress(hostPort, "PORT must be a number from 1 to 65535");
    }
    int port = Integer.parseInt(portText);
    if (port < 1 || port > 65535) {
      throw badAddress(hostPort, "PORT must be a number from 1 to 65535");
    }
    return new Address(host, port);
  }

  private static UsageException badAddress(String text, String why) {
    return new UsageException("invalid clamd address '" + (text == null ? "" : text) + "': " + why
        + " (expected HOST:PORT, e.g. 127.0.0.1:3310 or [::1]:3310)");
  }

  public Address address() {
    return address;
  }

  public Duration connectTimeout() {
    return Duration.ofMillis(connectTimeoutMillis);
  }

  public Duration ioTimeout() {
    return Duration.ofMillis(ioTimeoutMillis);
  }

  @Override
  public String describe() {
    return "clamd " + address;
  }

  @Override
  public String toString() {
    return describe();
  }

  /** Sends {@code PING}; returns when clamd answers {@code PONG}, otherwise throws {@link EnvironmentException}. */
  @Override
  public void ping() {
    String reply = command("PING", "answering PING");
    if (!reply.equals("PONG")) {
      throw garbage("PING", reply);
    }
  }

  /** clamd's {@code VERSION} reply, e.g. {@code ClamAV 1.4.3/27500/Mon Jan 6 09:00:00 2025} (for the audit log). */
  public String version() {
    String reply = command("VERSION", "answering VERSION");
    if (!reply.startsWith("ClamAV ")) {
      throw garbage("VERSION", reply);
    }
    return reply;
  }

  private String command(String command, String doing) {
    try (ClamdChannel channel = open()) {
      try {
        channel.write(ioTimeoutMillis, ascii("z" + command + "\0"));
        return channel.readReply(Math.min(ioTimeoutMillis, PING_REPLY_TIMEOUT_MILLIS));
      } catch (IOException e) {
        throw failed(doing, e);
      }
    }
  }

  @Override
  public ScanVerdict scan(Path file, String label) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(label, "label");
    FileChannel in;
    try {
      in = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      throw EnvironmentException.io(label, e);
    }
    try (in; ClamdChannel clamd = open()) {
      return stream(in, clamd, label);
    } catch (IOException e) {
      // only closing the file can get here
      throw EnvironmentException.io(label, e);
    }
  }

  private ScanVerdict stream(FileChannel in, ClamdChannel clamd, String label) {
    String scanning = "scanning " + label;
    ByteBuffer length = ByteBuffer.allocate(4);
    ByteBuffer data = ByteBuffer.allocate(CHUNK_SIZE);
    boolean endOfFile = false;
    try {
      clamd.write(ioTimeoutMillis, ascii("zINSTREAM\0"));
      while (!endOfFile) {
        data.clear();
        endOfFile = fill(in, data, label);
        data.flip();
        length.clear();
        length.putInt(data.remaining()).flip();
        // the last frame is the zero-length terminator; when the file ends on a chunk boundary it goes out alone
        ByteBuffer terminator = ByteBuffer.allocate(endOfFile && data.hasRemaining() ? 4 : 0);
        try {
          if (data.hasRemaining()) {
            clamd.write(ioTimeoutMillis, length, data, terminator);
          } else {
            clamd.write(ioTimeoutMillis, length);
          }
        } catch (SocketTimeoutException e) {
          throw e;
        } catch (IOException e) {
          // clamd hung up mid-stream: normally after telling us why (size limit)
          return lastWords(clamd, scanning, e);
        }
        if (!endOfFile && clamd.pollReply()) {
          // clamd only speaks before the end of the stream when it gives up on it
          return earlyReply(clamd, scanning);
        }
      }
      String reply = clamd.readReply(ioTimeoutMillis);
      return verdict(reply, true, scanning);
    } catch (IOException e) {
      throw failed(scanning, e);
    }
  }

  /** Reads until {@code data} is full or the file ends; returns true at end of file. */
  private static boolean fill(FileChannel in, ByteBuffer data, String label) {
    try {
      while (data.hasRemaining()) {
        if (in.read(data) < 0) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw EnvironmentException.io(label, e);
    }
  }

  private ScanVerdict earlyReply(ClamdChannel clamd, String scanning) throws IOException {
    String reply;
    try {
      reply = clamd.readReply(LAST_WORDS_TIMEOUT_MILLIS);
    } catch (EOFException e) {
      throw failed(scanning, new EOFException("clamd closed the connection before the end of the stream"));
    } catch (SocketTimeoutException e) {
      reply = clamd.partialReply();
    }
    return verdict(reply, false, scanning);
  }

  private ScanVerdict lastWords(ClamdChannel clamd, String scanning, IOException writeFailure) {
    String reply;
    try {
      reply = clamd.readReply(LAST_WORDS_TIMEOUT_MILLIS);
    } catch (IOException e) {
      reply = clamd.partialReply();
    }
    if (reply.isEmpty()) {
      throw failed(scanning, writeFailure);
    }
    return verdict(reply, false, scanning);
  }

  /**
   * Maps clamd's reply to a verdict. {@code complete} is whether the whole file was sent: a clean reply to a partial
   * stream is a protocol violation, never CLEAN.
   */
  private ScanVerdict verdict(String reply, boolean complete, String scanning) {
    if (reply.equals("stream: OK")) {
      if (!complete) {
        throw new EnvironmentException(describe() + ": replied OK before the whole file was sent while " + scanning
            + "; nothing was published");
      }
      return ScanVerdict.clean("OK");
    }
    Matcher found = FOUND.matcher(reply);
    if (found.matches()) {
      String signature = found.group(1);
      if (signature.startsWith(LIMITS_EXCEEDED)) {
        return ScanVerdict.unscannable("clamd scan limit exceeded (" + signature + ")");
      }
      return ScanVerdict.infected(signature);
    }
    Matcher error = ERROR.matcher(reply);
    if (error.matches() && !error.group(1).isEmpty()) {
      return ScanVerdict.unscannable(error.group(1));
    }
    throw garbage(scanning, reply);
  }

  private ClamdChannel open() {
    try {
      return ClamdChannel.connect(address.host(), address.port(), connectTimeoutMillis);
    } catch (IOException | RuntimeException e) {
      throw new EnvironmentException(describe() + ": unreachable (" + reason(e) + "); nothing was published", e);
    }
  }

  private EnvironmentException failed(String doing, IOException e) {
    String what;
    if (e instanceof ClamdChannel.ClamdProtocolException) {
      what = "unexpected reply while " + doing + " (" + reason(e) + ")";
    } else if (e instanceof SocketTimeoutException) {
      what = "timed out while " + doing + " (" + reason(e) + ")";
    } else if (e instanceof InterruptedIOException) {
      Thread.currentThread().interrupt();
      what = "interrupted while " + doing;
    } else {
      what = "connection lost while " + doing + " (" + reason(e) + ")";
    }
    return new EnvironmentException(describe() + ": " + what + "; nothing was published", e);
  }

  private EnvironmentException garbage(String doing, String reply) {
    return new EnvironmentException(describe() + ": unexpected reply while " + doing + ": '" + printable(reply)
        + "'; nothing was published");
  }

  private static String reason(Throwable e) {
    if (e instanceof UnknownHostException) {
      return e.getMessage() != null && e.getMessage().startsWith("unknown host") ? e.getMessage()
          : "unknown host " + e.getMessage();
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : printable(message);
  }

  /** One line, no control characters, bounded length. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 200; i++) {
      char c = s.charAt(i);
      b.append(c < ' ' || c >= 0x7f ? '?' : c);
    }
    if (b.length() < s.length()) {
      b.append("...");
    }
    return b.toString();
  }

  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static long positiveMillis(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
    return Math.max(1, d.toMillis());
  }
}
