package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.mirror.git.GitRoute;
import dev.airgap.mirror.hf.HuggingFaceRoute;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server under hostile load, over loopback only: slow request bodies on every route that reads
 * one, stalled readers on every blob route, readers taking one byte per second, and a few hundred
 * half-open connections. Throughout, a normal client (127.0.0.1) must get {@code /healthz} and a
 * small file within 2 s. The hostile connections come from other loopback addresses (127.0.0.2,
 * ...), at most {@link #PER_ADDRESS} from each, so they stay under the per-client connection limit
 * and test the thread-level defences; the limit itself, and 413 for oversized bodies, are tested
 * on their own. Counts stay at a few hundred sockets (the file descriptor limit).
 */
class HostileLoadTest {
  static final int CONNECTIONS = 300;
  static final int PER_ADDRESS = 40;
  static final Duration RESPONSIVE = Duration.ofSeconds(2);
  static final String HF_PATHS_INFO = "/hf/api/models/" + AllRoutesMirror.HF_REPO + "/paths-info/main";
  static final String GIT_UPLOAD_PACK = "/git/" + AllRoutesMirror.GIT_REPO + ".git/git-upload-pack";

  @TempDir static Path tmp;
  static AllRoutesMirror mirror;

  final List<Socket> hostile = new ArrayList<>();
  MirrorServer server;

  @BeforeAll
  static void publish() throws Exception {
    mirror = new AllRoutesMirror(tmp.resolve("mirror"), tmp);
  }

  @AfterEach
  void closeAll() {
    for (Socket s : hostile) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing a test socket
      }
    }
    if (server != null) server.close();
  }

  /** Short deadlines so the suite sees them fire; the connection limits are the defaults. */
  static final ServerLimits LIMITS = ServerLimits.DEFAULTS.withBodyDeadline(Duration.ofSeconds(4)).withWriteDeadline(Duration.ofSeconds(3));

  MirrorServer start() {
    return start(LIMITS);
  }

  MirrorServer start(ServerLimits limits) {
    server = MirrorServer.start(ServerOptions.loopback(mirror.fixture.root, 0).withLimits(limits));
    return server;
  }

  @Test
  void slowRequestBodiesDoNotHoldUpOtherClients() throws Exception {
    int port = start().port();
    for (int i = 0; i < CONNECTIONS; i++) {
      boolean hf = i % 2 == 0;
      Socket s = openHostile(port, i);
      String head = "POST " + (hf ? HF_PATHS_INFO : GIT_UPLOAD_PACK) + " HTTP/1.1\r\nHost: x\r\nContent-Type: "
          + (hf ? "application/x-www-form-urlencoded" : "application/x-git-upload-pack-request") + "\r\nContent-Length: 100000\r\n\r\np";
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    }
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < end) {
      for (Socket s : hostile) trickle(s, 'a');
      assertResponsive(port);
      Thread.sleep(1000);
    }
    // By now (5 s > the 4 s body deadline; and 1 byte/s is under the minimum rate after 2 s) every slow body was answered 408 and closed.
    for (Socket s : hostile) {
      s.setSoTimeout(5_000);
      RawHttp.Response r = RawHttp.read(s.getInputStream(), false);
      assertEquals(408, r.status());
      assertEquals("close", r.header("Connection"));
      assertEquals(-1, s.getInputStream().read(), "connection closed after the 408");
    }
  }

  @Test
  void oversizedBodiesAreRefusedWithoutReadingThem() throws Exception {
    int port = start().port();
    // Each route's own maximum: the default for Hugging Face, git's larger one (stateless negotiation).
    Map<String, Integer> maxima = Map.of(HF_PATHS_INFO, new HuggingFaceRoute().maxRequestBodyBytes(), GIT_UPLOAD_PACK, new GitRoute().maxRequestBodyBytes());
    assertEquals(MirrorRoute.DEFAULT_MAX_REQUEST_BODY, maxima.get(HF_PATHS_INFO));
    for (Map.Entry<String, Integer> e : maxima.entrySet()) {
      String target = e.getKey();
      int max = e.getValue();
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(5_000);
        s.getOutputStream().write(("POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + (max + 1)
            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        RawHttp.Response r = RawHttp.read(s.getInputStream(), false);
        assertEquals(413, r.status(), target);
        assertEquals("request body too large\n", r.bodyText());
      }
      // Chunked, so the size shows only while reading: refused once it passes the maximum.
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(5_000);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + target + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] piece = new byte[64 * 1024];
        RawHttp.Response r = null;
        try {
          for (int sent = 0; sent <= max; sent += piece.length) {
            out.write((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(piece);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
        } catch (IOException refusedMidBody) {
          // the server answered and closed while we were still sending
        }
        r = RawHttp.read(s.getInputStream(), false);
        assertEquals(413, r.status(), target);
      }
    }
    assertResponsive(port);
  }

  @Test
  void stalledReadersOnEveryBlobRouteDoNotHoldUpOtherClients() throws Exception {
    int port = start().port();
    List<byte[]> requests = new ArrayList<>();
    for (String target : mirror.bigBlobTargets()) requests.add(("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    byte[] pack = mirror.uploadPackBody();
    requests.add(concat(("POST " + GIT_UPLOAD_PACK + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-git-upload-pack-request\r\nContent-Length: "
        + pack.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), pack));
    for (int i = 0; i < CONNECTIONS; i++) {
      Socket s = openHostile(port, i);
      s.getOutputStream().write(requests.get(i % requests.size()));
      s.getOutputStream().flush();
      if (i < requests.size()) {
        // Every route really starts sending (and then stalls): its status line arrives.
        s.setSoTimeout(10_000);
        byte[] status = s.getInputStream().readNBytes(12);
        assertEquals("HTTP/1.1 200", new String(status, StandardCharsets.US_ASCII), new String(requests.get(i), StandardCharsets.US_ASCII));
      }
    }
    awaitSettled(port);
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < end) {
      assertResponsive(port);
      Thread.sleep(500);
    }
  }

  @Test
  void aClientReadingOneBytePerSecondIsCutOffByTheWriteDeadline() throws Exception {
    int port = start().port();
    List<Socket> trickling = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Socket s = openHostile(port, i);
      s.getOutputStream().write(("GET " + mirror.bigBlobTargets().get(i % 6) + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      trickling.add(s);
    }
    awaitSettled(port);
    // 1 byte/s never finishes a 128 KiB write within the 3 s write deadline: the server drops every
    // one of them (with a reset; the client would see it only after reading what its buffer holds).
    InetAddress from = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
    assertTrue(server.connectionsFrom(from) > 0);
    long start = System.nanoTime();
    while (server.connectionsFrom(from) > 0 && System.nanoTime() - start < Duration.ofSeconds(20).toNanos()) {
      for (Socket s : trickling) {
        s.setSoTimeout(1);
        try {
          s.getInputStream().read();
        } catch (IOException nothingYetOrReset) {
          // still waiting, or already reset
        }
      }
      assertResponsive(port);
      Thread.sleep(1000);
    }
    assertEquals(0, server.connectionsFrom(from), "connections still open after 20 s at 1 byte/s");
  }

  @Test
  void connectionsBeyondThePerClientLimitAreRefusedWith503() throws Exception {
    int port = start(LIMITS.withMaxConnectionsPerClient(10)).port();
    InetAddress greedy = InetAddress.getByAddress(new byte[] {127, 0, 0, 99});
    List<Socket> admitted = new ArrayList<>();
    for (int i = 0; i < 10; i++) admitted.add(open(greedy, port));
    for (Socket s : admitted) {
      // each admitted connection works (and stays open: keep-alive)
      s.setSoTimeout(5_000);
      s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(200, RawHttp.read(s.getInputStream(), false).status());
    }
    Socket refused = open(greedy, port);
    refused.setSoTimeout(5_000);
    refused.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    RawHttp.Response r = RawHttp.read(refused.getInputStream(), false);
    assertEquals(503, r.status());
    assertEquals(ClientConnectionLimit.REFUSAL_BODY, r.bodyText());
    assertEquals("close", r.header("Connection"));
    assertEquals(-1, refused.getInputStream().read());
    // Other addresses are not affected, and a slot freed is a slot usable again.
    assertResponsive(port);
    admitted.get(0).close();
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    int status = 0;
    while (System.nanoTime() < end) {
      Socket again = open(greedy, port);
      again.setSoTimeout(5_000);
      again.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      status = RawHttp.read(again.getInputStream(), false).status();
      if (status == 200) break;
      Thread.sleep(100);
    }
    assertEquals(200, status);
  }

  @Test
  void halfOpenConnectionsDoNotHoldUpOtherClients() throws Exception {
    int port = start().port();
    String[] partial = {"", "GET /files/chan/sm", "GET /files/chan/small.txt HTTP/1.1\r\nHost: x\r\n"};
    for (int i = 0; i < CONNECTIONS; i++) {
      Socket s = openHostile(port, i);
      s.getOutputStream().write(partial[i % partial.length].getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    }
    long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < end) {
      assertResponsive(port);
      Thread.sleep(500);
    }
  }

  // ---- helpers ----

  /** A connection from 127.0.0.(2 + i / PER_ADDRESS) with a tiny receive buffer, so a response it does not read stalls the server quickly. */
  Socket openHostile(int port, int i) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i / PER_ADDRESS)}), 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    hostile.add(s);
    return s;
  }

  Socket open(InetAddress from, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    hostile.add(s);
    return s;
  }

  /**
   * Waits (at most 20 s) for the first answer within {@link #RESPONSIVE}: the hostile requests were
   * just sent, and the server first pushes each stalled response until the kernel's socket buffers
   * are full (megabytes per connection on loopback). A server that parks a thread per stalled
   * client never gets there: its threads stay taken until the idle timeout (30 s).
   */
  static void awaitSettled(int port) throws IOException, InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        assertResponsive(port);
        return;
      } catch (AssertionError notYet) {
        if (System.nanoTime() > end) throw notYet;
        Thread.sleep(200);
      }
    }
  }

  /** One more byte of a slow body; a connection the server already closed is fine. */
  static void trickle(Socket s, char c) {
    try {
      OutputStream out = s.getOutputStream();
      out.write(c);
      out.flush();
    } catch (IOException closedByServer) {
      // the server gave up on this body: that is allowed
    }
  }

  /** {@code /healthz} and a small file, each answered completely within {@link #RESPONSIVE}. */
  static void assertResponsive(int port) throws IOException {
    assertFast(port, "/healthz", "ok\n");
    assertFast(port, "/files/chan/small.txt", AllRoutesMirror.SMALL);
  }

  static void assertFast(int port, String target, String body) throws IOException {
    long t0 = System.nanoTime();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), (int) RESPONSIVE.toMillis());
      s.setSoTimeout((int) RESPONSIVE.toMillis());
      s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      RawHttp.Response r = RawHttp.read(in, false);
      assertEquals(200, r.status(), target);
      assertEquals(body, r.bodyText(), target);
    } catch (SocketTimeoutException e) {
      throw new AssertionError(target + " not answered within " + RESPONSIVE.toMillis() + " ms", e);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < RESPONSIVE.toMillis(), target + " took " + ms + " ms");
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
