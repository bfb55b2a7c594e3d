package dev.airgap.importer.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.airgap.core.error.ContentRejectedException;
import dev.airgap.importer.scan.ScanVerdict.Status;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ContentScannerTest {

  @Test
  void noScanIsCleanWithoutReadingTheFile() {
    ContentScanner none = ContentScanner.none();
    ScanVerdict v = none.scan(Path.of("/does/not/exist"), "x");
    assertEquals(Status.CLEAN, v.status());
    assertEquals("not scanned (--no-scan)", v.detail());
    assertEquals("none (--no-scan)", none.describe());
    none.ping();
    assertSame(none, ContentScanner.none());
  }

  @Test
  void requireClean() {
    ScanVerdict clean = ScanVerdict.clean("OK");
    assertSame(clean, clean.requireClean("a"));
    assertEquals("a: malware found: Sig-1",
        assertThrows(ContentRejectedException.class, () -> ScanVerdict.infected("Sig-1").requireClean("a"))
            .getMessage());
    assertEquals("a: could not be scanned: INSTREAM size limit exceeded",
        assertThrows(ContentRejectedException.class,
            () -> ScanVerdict.unscannable("INSTREAM size limit exceeded").requireClean("a")).getMessage());
  }

  @Test
  void verdictNeedsStatusAndDetail() {
    assertThrows(NullPointerException.class, () -> new ScanVerdict(null, "x"));
    assertThrows(NullPointerException.class, () -> new ScanVerdict(Status.CLEAN, null));
  }

  @Test
  void timeoutsMustBePositive() {
    ClamdScanner.Address a = new ClamdScanner.Address("127.0.0.1", 3310);
    assertThrows(IllegalArgumentException.class, () -> new ClamdScanner(a, Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> new ClamdScanner(a, Duration.ofSeconds(1), Duration.ofMillis(-1)));
    assertEquals(ClamdScanner.DEFAULT_CONNECT_TIMEOUT, new ClamdScanner(a).connectTimeout());
    assertEquals(ClamdScanner.DEFAULT_IO_TIMEOUT, new ClamdScanner(a).ioTimeout());
  }
}
