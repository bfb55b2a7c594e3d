package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server under hostile load, over loopback only: slow request bodies on every route that reads
 * one, stalled readers on every blob route, and a few hundred half-open connections. Throughout,
 * a normal client (127.0.0.1) must get {@code /healthz} and a small file within 2 s. The hostile
 * connections come from other loopback addresses (127.0.0.2, ...), at most {@link #PER_ADDRESS} from
 * each, so they stay under the per-address connection limit and test the thread-level defences.
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

  MirrorServer start() {
    server = MirrorServer.start(ServerOptions.loopback(mirror.fixture.root, 0));
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
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < end) {
      assertResponsive(port);
      Thread.sleep(500);
    }
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
