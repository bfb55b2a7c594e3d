package dev.airgap.exporter.source.apt;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.Digest;
import dev.airgap.core.error.EnvironmentException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An upstream that sends the head and part of a body, then stalls: the download fails, it does not hang. */
class UpstreamTimeoutTest {
  private final List<Socket> held = new ArrayList<>();
  private ServerSocket server;

  @AfterEach
  void close() throws IOException {
    for (Socket s : held) s.close();
    if (server != null) server.close();
  }

  /** Answers every request with a 200 of 1,000 declared bytes, sends 100 and never more. */
  private String stallingUpstream() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      try {
        while (true) {
          Socket s = server.accept();
          held.add(s);
          s.getInputStream().read(new byte[4096]);
          OutputStream out = s.getOutputStream();
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          out.write(new byte[100]);
          out.flush();
        }
      } catch (IOException closed) {
        // test over
      }
    });
    t.setDaemon(true);
    t.start();
    return "http://127.0.0.1:" + server.getLocalPort() + "/debian";
  }

  @Test
  void aBodyThatStallsAfterTheHeadFailsWithinTheReadTimeout(@TempDir Path dir) throws IOException {
    Upstream upstream = new Upstream(stallingUpstream(), "apt entry 1", Duration.ofMillis(500));
    Path target = dir.resolve("p.deb");
    EnvironmentException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(EnvironmentException.class, () -> upstream.download("pool/p.deb", target, 1000, Digest.parse("sha256:" + "0".repeat(64)))));
    assertTrue(e.getMessage().contains("/debian/pool/p.deb"), e.getMessage());
    assertTrue(e.getMessage().contains("read timeout"), e.getMessage());
    assertFalse(Files.exists(target));
    assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt must not leak");
  }

  @Test
  void aStalledMetadataFetchFailsToo() throws IOException {
    Upstream upstream = new Upstream(stallingUpstream(), "apt entry 1", Duration.ofMillis(500));
    EnvironmentException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> assertThrows(EnvironmentException.class, () -> upstream.fetch("dists/stable/InRelease", 1 << 20)));
    assertTrue(e.getMessage().contains("read timeout"), e.getMessage());
  }
}
