package dev.airgap.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class PrintableTest {
  @Test
  void leavesPrintableTextAlone() {
    String s = "docs/r\u00e9sum\u00e9 \u65e5\u672c.txt \ud83d\ude00 a\\b";
    assertSame(s, Printable.escape(s));
  }

  @Test
  void escapesControlsAsHex() {
    assertEquals("a\\x0ab\\x1b[2Jc\\x09d\\x7f\\x85", Printable.escape("a\nb\u001b[2Jc\td\u007f\u0085"));
  }

  @Test
  void escapesFormatSeparatorAndSpaceLookalikes() {
    assertEquals("docs/evil\\u202Etxt.exe", Printable.escape("docs/evil\u202Etxt.exe"));
    assertEquals("\\uFEFFa\\u200Bb\\u2066c\\u2028d\\u00A0e".replace("\\u00A0", "\\xa0"), Printable.escape("\uFEFFa\u200Bb\u2066c\u2028d\u00A0e"));
    assertEquals("x\\U000E0001y", Printable.escape("x\uDB40\uDC01y"));
  }

  @Test
  void escapesUnpairedSurrogatesPrivateUseAndUnassigned() {
    assertEquals("a\\uD800b\\uE000c\\u0378", Printable.escape("a\uD800b\uE000c\u0378"));
  }

  @Test
  void isIdempotent() {
    String once = Printable.escape("a\u202Eb\nc");
    assertEquals(once, Printable.escape(once));
  }

  @Test
  void boundsLength() {
    assertEquals("aaa...", Printable.escape("aaaaaa", 3));
    assertEquals("null", Printable.escape((String) null));
  }
}
