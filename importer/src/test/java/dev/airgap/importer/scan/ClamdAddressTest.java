package dev.airgap.importer.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.error.ExitCodes;
import dev.airgap.core.error.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ClamdAddressTest {

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1:3310, 127.0.0.1, 3310",
      "localhost:1, localhost, 1",
      "clamd.internal.example:65535, clamd.internal.example, 65535",
      "clam_av-1:3310, clam_av-1, 3310",
      "[::1]:3310, ::1, 3310",
      "[fe80::1%eth0]:3310, fe80::1%eth0, 3310",
      "[2001:db8::1]:03310, 2001:db8::1, 3310",
      "[::ffff:10.0.0.1]:3310, ::ffff:10.0.0.1, 3310",
  })
  void parses(String text, String host, int port) {
    ClamdScanner.Address a = ClamdScanner.parseAddress(text);
    assertEquals(new ClamdScanner.Address(host, port), a);
  }

  @Test
  void printsBackIPv6InBrackets() {
    assertEquals("[::1]:3310", ClamdScanner.parseAddress("[::1]:3310").toString());
    assertEquals("127.0.0.1:3310", ClamdScanner.parseAddress("127.0.0.1:3310").toString());
    assertEquals("clamd [::1]:3310", ClamdScanner.of("[::1]:3310").describe());
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      "127.0.0.1", "127.0.0.1:", ":3310", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:99999999999",
      "127.0.0.1:-1", "127.0.0.1:+3310", "127.0.0.1:33 10", "127.0.0.1:abc", " 127.0.0.1:3310", "127.0.0.1:3310 ",
      "::1:3310", "::1", "[::1]", "[::1]3310", "[::1]:", "[]:3310", "[127.0.0.1]:3310", "[::1:3310", "[nothex::1]:3310",
      "host/x:3310", "user@host:3310", "tcp://127.0.0.1:3310", "h\u00e9:3310", "a:b:3310",
  })
  void rejects(String text) {
    UsageException e = assertThrows(UsageException.class, () -> ClamdScanner.parseAddress(text));
    assertEquals(ExitCodes.USAGE, e.exitCode());
    assertTrue(e.getMessage().startsWith("invalid clamd address '"), e.getMessage());
    assertTrue(e.getMessage().contains("expected HOST:PORT"), e.getMessage());
  }
}
