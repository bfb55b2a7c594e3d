package dev.airgap.importer.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.ExitCodes;
import dev.airgap.importer.scan.ScanVerdict.Status;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Protocol details and every way clamd can fail, against scripted fake servers (no clamd needed). */
@Timeout(120)
class ClamdScannerFailClosedTest {
  private static final Duration SHORT = Duration.ofMillis(500);

  @TempDir Path dir;

  private static ClamdScanner scanner(FakeClamd fake) {
    return new ClamdScanner(fake.address(), Duration.ofSeconds(2), SHORT);
  }

  private static void assertOneLine(EnvironmentException e) {
    assertEquals(ExitCodes.ENVIRONMENT, e.exitCode());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(e.getMessage().endsWith("; nothing was published"), e.getMessage());
  }

  @Test
  void pingOnAPortNobodyListensOn() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    ClamdScanner scanner = new ClamdScanner(new ClamdScanner.Address("127.0.0.1", port));
    EnvironmentException e = assertThrows(EnvironmentException.class, scanner::ping);
    assertEquals("clamd 127.0.0.1:" + port + ": unreachable (Connection refused); nothing was published",
        e.getMessage());
    assertOneLine(e);
  }

  @Test
  void unknownHostIsUnreachable() {
    ClamdScanner scanner = ClamdScanner.of("no-such-host.invalid:3310");
    EnvironmentException e = assertThrows(EnvironmentException.class, scanner::ping);
    assertTrue(e.getMessage().startsWith("clamd no-such-host.invalid:3310: unreachable (unknown host"), e.getMessage());
  }

  @Test
  void pingAnsweredWithGarbage() throws Exception {
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      FakeClamd.readCommand(in);
      FakeClamd.reply(out, "HELLO\nTHERE");
    })) {
      EnvironmentException e = assertThrows(EnvironmentException.class, scanner(fake)::ping);
      assertTrue(e.getMessage().contains("unexpected reply while PING: 'HELLO?THERE'"), e.getMessage());
      assertOneLine(e);
    }
  }

  @Test
  void pingNeverAnswered() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      FakeClamd.readCommand(in);
      awaitQuietly(release);
    })) {
      EnvironmentException e = assertThrows(EnvironmentException.class, scanner(fake)::ping);
      assertTrue(e.getMessage().contains("timed out while answering PING"), e.getMessage());
      assertOneLine(e);
    } finally {
      release.countDown();
    }
  }

  /** What reaches clamd is exactly zINSTREAM, the file in length-prefixed chunks, and a zero-length terminator. */
  @Test
  void streamsTheWholeFileInChunks() throws Exception {
    byte[] content = new byte[3 * ClamdScanner.CHUNK_SIZE + 12345];
    new Random(42).nextBytes(content);
    Path file = Files.write(dir.resolve("f.bin"), content);
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      assertEquals("INSTREAM", FakeClamd.readCommand(in));
      assertArrayEquals(content, FakeClamd.readStream(in));
      FakeClamd.reply(out, "stream: OK");
    })) {
      assertEquals(ScanVerdict.clean("OK"), scanner(fake).scan(file, "f"));
      fake.awaitServed();
    }
  }

  @Test
  void foundIsInfected() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      FakeClamd.readCommand(in);
      FakeClamd.readStream(in);
      FakeClamd.reply(out, "stream: Win.Test.EICAR_HDB-1 FOUND");
    })) {
      assertEquals(ScanVerdict.infected("Win.Test.EICAR_HDB-1"), scanner(fake).scan(file, "f"));
    }
  }

  @Test
  void errorReplyIsUnscannable() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      FakeClamd.readCommand(in);
      FakeClamd.readStream(in);
      FakeClamd.reply(out, "stream: Can't allocate memory ERROR");
    })) {
      assertEquals(ScanVerdict.unscannable("Can't allocate memory"), scanner(fake).scan(file, "f"));
    }
  }

  @Test
  void garbageAfterTheStream() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    for (String garbage : new String[] {"stream: OKAY", "OK", "UNKNOWN COMMAND", "stream: OK\nstream: OK", " ERROR"}) {
      try (FakeClamd fake = new FakeClamd((s, in, out) -> {
        FakeClamd.readCommand(in);
        FakeClamd.readStream(in);
        FakeClamd.reply(out, garbage);
      })) {
        EnvironmentException e = assertThrows(EnvironmentException.class, () -> scanner(fake).scan(file, "sha256:f"),
            garbage);
        assertTrue(e.getMessage().contains("unexpected reply while scanning sha256:f"), e.getMessage());
        assertOneLine(e);
      }
    }
  }

  @Test
  void endlessReplyIsGarbage() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      FakeClamd.readCommand(in);
      FakeClamd.readStream(in);
      try {
        byte[] junk = new byte[4096];
        java.util.Arrays.fill(junk, (byte) 'A');
        for (int i = 0; i < 64; i++) {
          out.write(junk);
        }
      } catch (IOException expected) {
        // client hung up
      }
    })) {
      EnvironmentException e = assertThrows(EnvironmentException.class, () -> scanner(fake).scan(file, "f"));
      assertTrue(e.getMessage().contains("unexpected reply"), e.getMessage());
    }
  }

  @Test
  void noReplyAfterTheStreamTimesOut() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    CountDownLatch release = new CountDownLatch(1);
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      FakeClamd.readCommand(in);
      FakeClamd.readStream(in);
      awaitQuietly(release);
    })) {
      long start = System.nanoTime();
      EnvironmentException e = assertThrows(EnvironmentException.class, () -> scanner(fake).scan(file, "sha256:f"));
      assertTrue(e.getMessage().contains("timed out while scanning sha256:f (no reply within 500 ms)"), e.getMessage());
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
      assertOneLine(e);
    } finally {
      release.countDown();
    }
  }

  /** clamd accepts the connection but stops reading: the write must time out, not hang. */
  @Test
  void clamdThatStopsReadingTimesOut() throws Exception {
    Path file = dir.resolve("big.bin");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(128L * 1024 * 1024);
    }
    CountDownLatch release = new CountDownLatch(1);
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      s.setReceiveBufferSize(4096);
      FakeClamd.readCommand(in);
      awaitQuietly(release);
    })) {
      EnvironmentException e = assertThrows(EnvironmentException.class, () -> scanner(fake).scan(file, "big"));
      assertTrue(e.getMessage().contains("timed out while scanning big (clamd did not accept data for 500 ms)"),
          e.getMessage());
      assertOneLine(e);
    } finally {
      release.countDown();
    }
  }

  @Test
  void connectionClosedWithoutReply() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      FakeClamd.readCommand(in);
      FakeClamd.readStream(in);
    })) {
      EnvironmentException e = assertThrows(EnvironmentException.class, () -> scanner(fake).scan(file, "f"));
      assertTrue(e.getMessage().contains("connection lost while scanning f"), e.getMessage());
      assertOneLine(e);
    }
  }

  /** An OK before the file was sent completely must not be taken as CLEAN. */
  @Test
  void earlyOkIsNotClean() throws Exception {
    Path file = dir.resolve("big.bin");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(64L * 1024 * 1024);
    }
    CountDownLatch release = new CountDownLatch(1);
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      FakeClamd.readCommand(in);
      FakeClamd.reply(out, "stream: OK");
      // keep reading slowly so the client sees the reply while still sending
      byte[] buf = new byte[8192];
      while (release.getCount() > 0 && in.read(buf) > 0) {
        // drain
      }
    })) {
      EnvironmentException e = assertThrows(EnvironmentException.class, () -> scanner(fake).scan(file, "big"));
      assertTrue(e.getMessage().contains("replied OK before the whole file was sent"), e.getMessage());
      assertOneLine(e);
    } finally {
      release.countDown();
    }
  }

  /** clamd gives up mid-stream, says why and hangs up (how StreamMaxLength works): per-file UNSCANNABLE. */
  @Test
  void errorMidStreamIsUnscannable() throws Exception {
    Path file = dir.resolve("big.bin");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(32L * 1024 * 1024);
    }
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      FakeClamd.readCommand(in);
      in.readNBytes(1024 * 1024);
      FakeClamd.reply(out, "INSTREAM size limit exceeded. ERROR");
      s.setSoLinger(true, 0); // hang up with a reset, like clamd closing with unread data
    })) {
      ScanVerdict verdict = scanner(fake).scan(file, "big");
      assertEquals(new ScanVerdict(Status.UNSCANNABLE, "INSTREAM size limit exceeded"), verdict);
    }
  }

  @Test
  void hangUpMidStreamWithoutReply() throws Exception {
    Path file = dir.resolve("big.bin");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(32L * 1024 * 1024);
    }
    try (FakeClamd fake = new FakeClamd((s, in, out) -> {
      FakeClamd.readCommand(in);
      in.readNBytes(1024 * 1024);
      s.setSoLinger(true, 0);
    })) {
      EnvironmentException e = assertThrows(EnvironmentException.class, () -> scanner(fake).scan(file, "big"));
      assertTrue(e.getMessage().contains("connection lost while scanning big"), e.getMessage());
      assertOneLine(e);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
