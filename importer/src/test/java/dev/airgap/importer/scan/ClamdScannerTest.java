package dev.airgap.importer.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link ClamdScanner} against a real clamd started by {@link ClamdProcess}. */
@Timeout(120)
class ClamdScannerTest {
  private static final int MIB = 1024 * 1024;

  @TempDir static Path clamdDir;
  static ClamdProcess clamd;
  @TempDir Path dir;

  @BeforeAll
  static void startClamd() {
    assumeTrue(ClamdProcess.available(), "clamd is not installed");
    clamd = ClamdProcess.start(clamdDir);
  }

  @AfterAll
  static void stopClamd() {
    if (clamd != null) {
      clamd.close();
    }
  }

  @Test
  void cleanFileIsClean() throws IOException {
    Path file = Files.writeString(dir.resolve("hello.txt"), "hello, air gap\n");
    ScanVerdict verdict = clamd.scanner().scan(file, "sha256:hello");
    assertEquals(ScanVerdict.clean("OK"), verdict);
    assertTrue(verdict.isClean());
  }

  @Test
  void emptyFileIsClean() throws IOException {
    Path file = Files.createFile(dir.resolve("empty"));
    assertEquals(Status.CLEAN, clamd.scanner().scan(file, "empty").status());
  }

  @Test
  void eicarIsInfectedWithSignatureName() throws IOException {
    Path file = Files.writeString(dir.resolve("eicar.com"), ClamdProcess.eicar(), StandardCharsets.US_ASCII);
    ScanVerdict verdict = clamd.scanner().scan(file, "sha256:eicar");
    assertEquals(Status.INFECTED, verdict.status(), verdict.toString());
    assertTrue(verdict.detail().startsWith(ClamdProcess.EICAR_SIGNATURE), verdict.detail());
    ContentRejectedException e = assertThrows(ContentRejectedException.class, () -> verdict.requireClean("pkg/x.jar"));
    assertEquals(ExitCodes.CONTENT_REJECTED, e.exitCode());
    assertTrue(e.getMessage().startsWith("pkg/x.jar: malware found: " + ClamdProcess.EICAR_SIGNATURE), e.getMessage());
  }

  /** The signature straddles two INSTREAM chunks, after several MiB: the whole file reaches clamd, in order. */
  @Test
  void eicarAcrossChunkBoundaryDeepInFileIsFound() throws IOException {
    byte[] eicar = ClamdProcess.eicar().getBytes(StandardCharsets.US_ASCII);
    byte[] content = new byte[5 * MIB];
    Arrays.fill(content, (byte) 'a');
    int at = 64 * ClamdScanner.CHUNK_SIZE - eicar.length / 2; // 4 MiB, a chunk boundary
    System.arraycopy(eicar, 0, content, at, eicar.length);
    Path file = Files.write(dir.resolve("straddle.bin"), content);
    ScanVerdict verdict = clamd.scanner().scan(file, "straddle");
    assertEquals(Status.INFECTED, verdict.status(), verdict.toString());
  }

  @Test
  void fileOfExactlyOneChunkIsClean() throws IOException {
    Path file = Files.write(dir.resolve("chunk.bin"), new byte[ClamdScanner.CHUNK_SIZE]);
    assertEquals(Status.CLEAN, clamd.scanner().scan(file, "chunk").status());
  }

  @Test
  void pingAndVersion() {
    ClamdScanner scanner = clamd.scanner();
    scanner.ping();
    assertTrue(scanner.version().startsWith("ClamAV "), scanner.version());
    assertEquals("clamd " + clamd.address(), scanner.describe());
    assertEquals(clamd.address(), ClamdScanner.parseAddress(clamd.address()).toString());
  }

  @Test
  void missingFileIsAnEnvironmentError() {
    EnvironmentException e = assertThrows(EnvironmentException.class,
        () -> clamd.scanner().scan(dir.resolve("nope"), "sha256:nope"));
    assertTrue(e.getMessage().startsWith("sha256:nope: I/O error"), e.getMessage());
  }

  @Test
  void concurrentScansGetTheirOwnVerdicts() throws Exception {
    Path clean = Files.writeString(dir.resolve("c.txt"), "clean");
    Path bad = Files.writeString(dir.resolve("b.txt"), ClamdProcess.eicar(), StandardCharsets.US_ASCII);
    ClamdScanner scanner = clamd.scanner();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      var futures = new java.util.ArrayList<java.util.concurrent.Future<Status>>();
      for (int i = 0; i < 16; i++) {
        Path f = i % 2 == 0 ? clean : bad;
        futures.add(pool.submit(() -> scanner.scan(f, f.toString()).status()));
      }
      for (int i = 0; i < 16; i++) {
        assertEquals(i % 2 == 0 ? Status.CLEAN : Status.INFECTED, futures.get(i).get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The file is streamed: a 200 MiB (sparse) file with the signature at its very end is found. */
  @Test
  void largeFileIsStreamedToTheEnd(@TempDir Path bigClamdDir) throws IOException {
    long size = 200L * MIB;
    Path file = dir.resolve("big.bin");
    byte[] eicar = ClamdProcess.eicar().getBytes(StandardCharsets.US_ASCII);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(size);
      raf.seek(size - eicar.length);
      raf.write(eicar);
    }
    try (ClamdProcess big = ClamdProcess.start(bigClamdDir, 256L * MIB)) {
      long start = System.nanoTime();
      ScanVerdict verdict = big.scanner().scan(file, "big");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(Status.INFECTED, verdict.status(), verdict + " after " + millis + " ms");
    }
  }

  @Test
  void customTimeoutsAreKept() {
    ClamdScanner s = new ClamdScanner(ClamdScanner.parseAddress(clamd.address()), Duration.ofSeconds(1),
        Duration.ofMinutes(30));
    assertEquals(Duration.ofSeconds(1), s.connectTimeout());
    assertEquals(Duration.ofMinutes(30), s.ioTimeout());
    s.ping();
  }
}
