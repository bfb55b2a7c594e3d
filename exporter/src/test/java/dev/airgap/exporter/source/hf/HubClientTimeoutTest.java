package dev.airgap.exporter.source.hf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.Digest;
import dev.airgap.core.error.EnvironmentException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hub client against loopback servers that stall: before the answer's head, in the middle of a
 * body, and trickling a metadata answer byte by byte. Each export call must fail within bounded
 * time with one line naming the URL and the timeout that ended it.
 */
class HubClientTimeoutTest {
  private static final HubClient.Timeouts SHORT = new HubClient.Timeouts(Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofMillis(1500));
  private static final String ZEROS = "0".repeat(40);

  @TempDir Path tmp;
  private StallingServer server;

  @AfterEach
  void stop() throws IOException {
    if (server != null) server.close();
  }

  @Test
  void aServerThatNeverAnswersFailsTheMetadataRequestAfterTheReadTimeout() throws Exception {
    server = new StallingServer((request, out) -> {}); // reads the request, then says nothing
    HubClient hub = new HubClient(server.url(), null, SHORT);
    EnvironmentException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(EnvironmentException.class,
        () -> hub.revisionInfo("model", "org/name", "main")));
    assertTrue(e.getMessage().startsWith(server.url() + "/api/models/org/name/revision/main: "), e.getMessage());
    assertTrue(e.getMessage().contains("no data for 500 ms (read timeout)"), e.getMessage());
    assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
  }

  @Test
  void aMetadataAnswerTrickledByteByByteEndsAtTheRequestTimeout() throws Exception {
    server = new StallingServer((request, out) -> {
      out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 1000; i++) { // a byte every 100 ms: never idle for the read timeout
        out.write(' ');
        out.flush();
        Thread.sleep(100);
      }
    });
    HubClient hub = new HubClient(server.url(), null, SHORT);
    long start = System.nanoTime();
    EnvironmentException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(EnvironmentException.class,
        () -> hub.tree("model", "org/name", ZEROS)));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(e.getMessage().startsWith(server.url() + "/api/models/org/name/tree/" + ZEROS), e.getMessage());
    assertTrue(e.getMessage().contains("no complete answer within 1500 ms (request timeout)"), e.getMessage());
    assertTrue(millis >= 1400 && millis < 5000, millis + " ms");
  }

  @Test
  void anAnswerHeadTrickledByteByByteEndsAtTheRequestTimeout() throws Exception {
    server = new StallingServer((request, out) -> {
      out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 1000; i++) {
        out.write('a');
        out.flush();
        Thread.sleep(100);
      }
    });
    HubClient hub = new HubClient(server.url(), null, SHORT);
    EnvironmentException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(EnvironmentException.class,
        () -> hub.revisionInfo("dataset", "org/name", "v1")));
    assertTrue(e.getMessage().equals(server.url() + "/api/datasets/org/name/revision/v1: no complete answer within 1500 ms (request timeout)"), e.getMessage());
  }

  @Test
  void theRequestTimeoutCoversEveryHopOfARedirect() throws Exception {
    server = new StallingServer((request, out) -> {
      if (!request.startsWith("GET /slow ")) {
        out.write("HTTP/1.1 302 Found\r\nLocation: /slow\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return;
      }
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n[".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 1000; i++) {
        out.write(' ');
        out.flush();
        Thread.sleep(100);
      }
    });
    HubClient hub = new HubClient(server.url(), null, SHORT);
    EnvironmentException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(EnvironmentException.class,
        () -> hub.revisionInfo("model", "org/name", "main")));
    assertTrue(e.getMessage().contains("no complete answer within 1500 ms (request timeout)"), e.getMessage());
  }

  @Test
  void aDownloadThatStallsMidBodyIsRetriedWithRangeThenFailsNamingTheReadTimeout() throws Exception {
    server = new StallingServer((request, out) -> {
      if (request.contains("\r\nRange: ")) {
        out.write("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 500-999/1000\r\nContent-Length: 500\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } else {
        out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[500]);
      }
      out.flush(); // ... and the rest never comes
    });
    HubClient hub = new HubClient(server.url(), null, SHORT);
    HubClient.TreeFile file = new HubClient.TreeFile("model.bin", 1000, ZEROS, Digest.ofHex("0".repeat(64)));
    EnvironmentException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(EnvironmentException.class,
        () -> hub.download("model", "org/name", ZEROS, file, tmp.resolve("a.part"))));
    assertTrue(e.getMessage().startsWith(server.url() + "/org/name/resolve/" + ZEROS + "/model.bin: download failed after 5 attempts: "), e.getMessage());
    assertTrue(e.getMessage().contains("no data for 500 ms (read timeout)"), e.getMessage());
    assertTrue(server.requests.stream().skip(1).allMatch(r -> r.contains("\r\nRange: bytes=500-")), "resumed where it stalled");
  }

  @Test
  void aServerThatIgnoresRangeAndStallsAtTheSamePlaceEveryTimeDoesNotLoopForever() throws Exception {
    // each attempt starts over from byte 0 and stalls at 500: that is no progress, however many bytes it re-reads
    server = new StallingServer((request, out) -> {
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[500]);
      out.flush();
    });
    HubClient hub = new HubClient(server.url(), null, SHORT);
    HubClient.TreeFile file = new HubClient.TreeFile("model.bin", 1000, ZEROS, Digest.ofHex("0".repeat(64)));
    EnvironmentException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(EnvironmentException.class,
        () -> hub.download("model", "org/name", ZEROS, file, tmp.resolve("b.part"))));
    assertTrue(e.getMessage().contains("download failed after 5 attempts: no data for 500 ms (read timeout)"), e.getMessage());
    assertTrue(server.requests.size() == HubClient.MAX_ATTEMPTS, server.requests.size() + " requests");
  }

  /** What the server does with one request's connection after reading its head; returning leaves the connection open, silent. */
  interface Answer {
    void answer(String requestHead, OutputStream out) throws Exception;
  }

  /** A loopback HTTP server that answers each connection with {@code answer} and then holds it open until closed. */
  static final class StallingServer implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();

    StallingServer(Answer answer) throws IOException {
      Thread accept = new Thread(() -> {
        while (!socket.isClosed()) {
          try {
            Socket s = socket.accept();
            connections.add(s);
            Thread t = new Thread(() -> serve(s, answer), "stalling-conn");
            t.setDaemon(true);
            t.start();
          } catch (IOException e) {
            return;
          }
        }
      }, "stalling-server");
      accept.setDaemon(true);
      accept.start();
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    private void serve(Socket s, Answer answer) {
      try (s) {
        String head = readHead(s.getInputStream());
        if (head == null) return;
        requests.add(head);
        answer.answer(head, s.getOutputStream());
        closed.await();
      } catch (Exception e) {
        // the client hung up, or the server closed: nothing more to say
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != -1) {
        b.write(c);
        String s = b.toString(StandardCharsets.ISO_8859_1);
        if (s.endsWith("\r\n\r\n")) return s;
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      closed.countDown();
      socket.close();
      for (Socket s : connections) s.close();
    }
  }
}
