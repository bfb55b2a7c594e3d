package dev.airgap.core.mirror.apt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DebVersionTest {
  /** Pairs ordered as dpkg --compare-versions orders them (a < b). */
  @ParameterizedTest(name = "{0} < {1}")
  @CsvSource({
      "1.0~rc1, 1.0", "1.0~~, 1.0~", "1.0, 1.0+b1", "1.0, 1.0.1", "1.0-1, 1.0-2", "1.0-9, 1.0-10", "2.0, 1:0.1", "1:1.0, 2:0",
      "1.0a, 1.0b", "1.0, 1.0a", "1.2, 1.10", "0.9, 1.0~beta1", "2.0~beta1-1, 2.0-1", "1.0-1, 1.0-1ubuntu1", "1.0.0, 1.0.0.0"})
  void orders(String a, String b) {
    DebVersion va = DebVersion.parse(a);
    DebVersion vb = DebVersion.parse(b);
    assertEquals(-1, Integer.signum(va.compareTo(vb)), a + " < " + b);
    assertEquals(1, Integer.signum(vb.compareTo(va)), b + " > " + a);
  }

  @ParameterizedTest
  @CsvSource({"1.0, 1.00", "0:1.0, 1.0", "1.0-0, 1.0-0"})
  void equal(String a, String b) {
    assertEquals(0, DebVersion.parse(a).compareTo(DebVersion.parse(b)));
  }

  @ParameterizedTest
  @CsvSource({"'', x", "a1.0, x", "1:, x", "x:1.0, x", "'1.0 ', x", "1.0-, x", "1/0, x"})
  void rejects(String bad, String ignored) {
    assertThrows(IllegalArgumentException.class, () -> DebVersion.parse(bad));
  }

  @org.junit.jupiter.api.Test
  void poolPathDropsTheEpochAndUsesLibPrefixes() {
    assertEquals("pool/main/g/greet-data/greet-data_0.1-1_all.deb", AptNames.poolPath("main", "greet-data", DebVersion.parse("1:0.1-1"), "all"));
    assertEquals("pool/contrib/libg/libgreet/libgreet_2.0~b1_amd64.deb", AptNames.poolPath("contrib", "libgreet", DebVersion.parse("2.0~b1"), "amd64"));
    assertThrows(IllegalArgumentException.class, () -> AptNames.poolPath("main", "../etc", DebVersion.parse("1"), "amd64"));
  }
}
