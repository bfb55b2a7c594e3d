package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmptyMirrorAndSlowClientTest {
  @Test
  void mirrorWithoutCurrentAnswers404EverywhereButHealthz(@TempDir Path tmp) throws Exception {
    new MirrorFixture(tmp);
    try (MirrorServer server = MirrorServer.start(ServerOptions.loopback(tmp, 0))) {
      for (String path : new String[] {"/files/chan/hello.txt", "/bundles/index.json", "/bundles/x/manifest.json", "/files/", "/"}) {
        RawHttp.Response r = RawHttp.request(server.port(), "GET", path);
        assertEquals(404, r.status(), path);
        assertEquals(MirrorHandler.NOT_FOUND, r.bodyText());
      }
      assertEquals(200, RawHttp.request(server.port(), "GET", "/healthz").status());
    }
  }

  @Test
  void currentPointingOutsideGenerationsIsNotServed(@TempDir Path tmp) throws Exception {
    MirrorFixture mirror = new MirrorFixture(tmp);
    mirror.generation(1, List.of(new MirrorFixture.File("chan", "a.txt", "a\n")), List.of());
    // A hand-made current that points at staging (never published there): nothing is served.
    Files.createDirectories(tmp.resolve("staging/files"));
    Files.copy(mirror.layout.generation(1).resolve("files/index.json"), tmp.resolve("staging/files/index.json"));
    Files.createSymbolicLink(mirror.layout.current(), Path.of("staging"));
    try (MirrorServer server = MirrorServer.start(ServerOptions.loopback(tmp, 0))) {
      assertEquals(404, RawHttp.request(server.port(), "GET", "/files/chan/a.txt").status());
      mirror.publish(1);
      assertEquals(200, RawHttp.request(server.port(), "GET", "/files/chan/a.txt").status());
    }
  }

  @Test
  void partialRequestLineNeitherBlocksOthersNorHangsForever(@TempDir Path tmp) throws Exception {
    MirrorFixture mirror = new MirrorFixture(tmp);
    mirror.generation(1, List.of(new MirrorFixture.File("chan", "a.txt", "a\n")), List.of());
    mirror.publish(1);
    try (MirrorServer server = MirrorServer.start(ServerOptions.loopback(tmp, 0).withLimits(ServerLimits.DEFAULTS.withIdleTimeout(Duration.ofSeconds(1))))) {
      List<Socket> slow = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          Socket s = new Socket("127.0.0.1", server.port());
          s.setSoTimeout(15_000);
          s.getOutputStream().write(("GET /files/ch" + (i % 2 == 0 ? "" : "an/a.txt HTTP/1.1\r\nHost: x\r\n")).getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          slow.add(s);
        }
        long t0 = System.nanoTime();
        RawHttp.Response r = RawHttp.request(server.port(), "GET", "/files/chan/a.txt");
        assertEquals(200, r.status());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "served while slow clients wait");
        for (Socket s : slow) {
          long start = System.nanoTime();
          try {
            InputStream in = s.getInputStream();
            byte[] rest = in.readAllBytes(); // EOF once the server gives up on the request
            String text = new String(rest, StandardCharsets.ISO_8859_1);
            assertTrue(text.isEmpty() || text.startsWith("HTTP/1.1 4"), text);
          } catch (SocketTimeoutException e) {
            throw new AssertionError("server kept a partial request open for 15 s", e);
          } catch (IOException e) {
            // connection reset: also a clean end
          }
          assertTrue(System.nanoTime() - start < Duration.ofSeconds(15).toNanos());
        }
      } finally {
        for (Socket s : slow) s.close();
      }
    }
  }

  @Test
  void startupFailuresAreReportedAsAirgapErrors(@TempDir Path tmp) throws Exception {
    org.junit.jupiter.api.Assertions.assertThrows(dev.airgap.core.error.UsageException.class,
        () -> MirrorServer.start(ServerOptions.loopback(tmp.resolve("missing"), 0)));
    new MirrorFixture(tmp);
    try (MirrorServer first = MirrorServer.start(ServerOptions.loopback(tmp, 0))) {
      dev.airgap.core.error.EnvironmentException e = org.junit.jupiter.api.Assertions.assertThrows(dev.airgap.core.error.EnvironmentException.class,
          () -> MirrorServer.start(ServerOptions.loopback(tmp, first.port())));
      assertTrue(e.getMessage().contains(String.valueOf(first.port())), e.getMessage());
      assertEquals(200, RawHttp.request(first.port(), "GET", "/healthz").status());
    }
  }

  @Test
  void closeReleasesThePort(@TempDir Path tmp) throws Exception {
    new MirrorFixture(tmp);
    int port;
    try (MirrorServer server = MirrorServer.start(ServerOptions.loopback(tmp, 0))) {
      port = server.port();
      assertEquals(200, RawHttp.request(port, "GET", "/healthz").status());
    }
    FilesRouteTest.assertThrowsConnect("127.0.0.1", port);
  }
}
