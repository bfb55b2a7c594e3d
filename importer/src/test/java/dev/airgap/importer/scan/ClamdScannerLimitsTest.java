package dev.airgap.importer.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airgap.core.error.ContentRejectedException;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.ExitCodes;
import dev.airgap.importer.scan.ScanVerdict.Status;
import dev.airgap.testing.ClamdProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Scan limits and a clamd that goes away, against real clamd processes. */
@Timeout(120)
class ClamdScannerLimitsTest {
  private static final int MIB = 1024 * 1024;

  @TempDir Path dir;
  @TempDir Path clamdDir;

  @BeforeEach
  void needClamd() {
    assumeTrue(ClamdProcess.available(), "clamd is not installed");
  }

  @Test
  void fileOverStreamMaxLengthIsUnscannable() throws IOException {
    Path big = Files.write(dir.resolve("big.bin"), filled(3 * MIB, 'x'));
    Path atLimit = Files.write(dir.resolve("limit.bin"), filled(MIB, 'y'));
    try (ClamdProcess clamd = ClamdProcess.start(clamdDir, MIB)) {
      ClamdScanner scanner = clamd.scanner();
      ScanVerdict verdict = scanner.scan(big, "sha256:big");
      assertEquals(ScanVerdict.unscannable("INSTREAM size limit exceeded"), verdict);
      ContentRejectedException e = assertThrows(ContentRejectedException.class, () -> verdict.requireClean("big.bin"));
      assertEquals(ExitCodes.CONTENT_REJECTED, e.exitCode());
      assertEquals("big.bin: could not be scanned: INSTREAM size limit exceeded", e.getMessage());

      // exactly at the limit is scanned; clamd keeps serving after a rejected stream
      assertEquals(Status.CLEAN, scanner.scan(atLimit, "limit").status());
      // one byte over is not
      Path over = Files.write(dir.resolve("over.bin"), filled(MIB + 1, 'z'));
      assertEquals(Status.UNSCANNABLE, scanner.scan(over, "over").status());
      scanner.ping();
    }
  }

  /**
   * Far over the limit: clamd replies and hangs up while the client is still sending (the 3 MiB case above fits in
   * the socket buffers); the reply must still be read, not reported as a lost connection.
   */
  @Test
  void fileFarOverStreamMaxLengthIsUnscannable() throws IOException {
    Path file = dir.resolve("huge.bin");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(256L * MIB);
    }
    try (ClamdProcess clamd = ClamdProcess.start(clamdDir, MIB)) {
      ClamdScanner scanner = clamd.scanner();
      for (int i = 0; i < 3; i++) {
        assertEquals(ScanVerdict.unscannable("INSTREAM size limit exceeded"), scanner.scan(file, "huge"));
      }
    }
  }

  /** Malware after the stream limit must never come back CLEAN. */
  @Test
  void malwareBeyondStreamLimitIsNotClean() throws IOException {
    byte[] content = filled(3 * MIB, 'q');
    byte[] eicar = ClamdProcess.eicar().getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(eicar, 0, content, content.length - eicar.length, eicar.length);
    Path file = Files.write(dir.resolve("tail.bin"), content);
    try (ClamdProcess clamd = ClamdProcess.start(clamdDir, MIB)) {
      assertEquals(Status.UNSCANNABLE, clamd.scanner().scan(file, "tail").status());
    }
  }

  /** With AlertExceedsMax, a file within StreamMaxLength but over MaxFileSize is reported, and unscannable. */
  @Test
  void limitsExceededHeuristicIsUnscannable() throws IOException {
    Path file = Files.write(dir.resolve("mid.bin"), filled(3 * MIB, 'm'));
    try (ClamdProcess clamd = ClamdProcess.builder(clamdDir).streamMaxBytes(4 * MIB).maxFileSizeBytes(MIB)
        .alertExceedsMax(true).start()) {
      ScanVerdict verdict = clamd.scanner().scan(file, "mid");
      assertEquals(Status.UNSCANNABLE, verdict.status(), verdict.toString());
      assertTrue(verdict.detail().contains("Heuristics.Limits.Exceeded"), verdict.detail());
    }
  }

  @Test
  void stoppedClamdFailsClosed() throws IOException {
    Path file = Files.writeString(dir.resolve("a.txt"), "a");
    ClamdProcess clamd = ClamdProcess.start(clamdDir);
    ClamdScanner scanner = clamd.scanner();
    assertEquals(Status.CLEAN, scanner.scan(file, "a").status());
    clamd.stop();
    assertFalse(clamd.isRunning());

    EnvironmentException scan = assertThrows(EnvironmentException.class, () -> scanner.scan(file, "sha256:a"));
    assertEquals(ExitCodes.ENVIRONMENT, scan.exitCode());
    assertEquals("clamd " + clamd.address() + ": unreachable (Connection refused); nothing was published",
        scan.getMessage());
    EnvironmentException ping = assertThrows(EnvironmentException.class, scanner::ping);
    assertTrue(ping.getMessage().contains("unreachable"), ping.getMessage());
    clamd.close(); // idempotent
  }

  private static byte[] filled(int size, char c) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) c);
    return b;
  }
}
