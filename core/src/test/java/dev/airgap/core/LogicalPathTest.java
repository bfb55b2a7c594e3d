package dev.airgap.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.error.IntegrityException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LogicalPathTest {
  @ParameterizedTest
  @ValueSource(strings = {"a", "a/b.txt", "tiny-model/model.safetensors", "r\u00e9sum\u00e9.txt", ".hidden/x", "a..b/c"})
  void acceptsSafePaths(String p) {
    assertNull(LogicalPath.problem(p));
    assertEquals(p, LogicalPath.parse("test", p).value());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "/etc/passwd", "../x", "a/../b", "a/./b", "a//b", "a/", "a\\b", "C:x", "a\u0000b", "a\nb", "a/..", ".", "re\u0301sume\u0301.txt"})
  void rejectsUnsafePaths(String p) {
    IntegrityException e = assertThrows(IntegrityException.class, () -> LogicalPath.parse("where", p));
    assertTrue(e.getMessage().startsWith("where: unsafe path"), e.getMessage());
    assertEquals(3, e.exitCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"docs/evil\u202Etxt.exe", "a\u200Bb", "a\u200Eb", "a\u200Fb", "a\u202Ab", "a\u202Db", "a\u2066b", "a\u2069b", "\uFEFFa",
      "a\u00ADb", "a\uDB40\uDC01b"})
  void rejectsInvisibleFormatCharacters(String p) {
    int cp = p.codePoints().filter(c -> Character.getType(c) == Character.FORMAT).findFirst().orElseThrow();
    assertEquals(String.format("invisible format character U+%04X", cp), LogicalPath.problem(p));
    IntegrityException e = assertThrows(IntegrityException.class, () -> LogicalPath.parse("where", p));
    // The message names the path with the character escaped, never raw.
    assertTrue(e.getMessage().contains(String.format("U+%04X", cp)), e.getMessage());
    assertTrue(e.getMessage().codePoints().allMatch(Printable::shown), e.getMessage());
  }

  @Test
  void rejectsLineAndParagraphSeparators() {
    assertEquals("line or paragraph separator U+2028", LogicalPath.problem("a\u2028b"));
    assertEquals("line or paragraph separator U+2029", LogicalPath.problem("a\u2029b"));
  }

  @Test
  void rejectionMessageEscapesTheRightToLeftOverride() {
    IntegrityException e = assertThrows(IntegrityException.class, () -> LogicalPath.parse("where", "docs/evil\u202Etxt.exe"));
    assertEquals("where: unsafe path 'docs/evil\\u202Etxt.exe': invisible format character U+202E", e.getMessage());
  }

  @Test
  void rejectsOverlongSegmentsAndPaths() {
    assertEquals("segment longer than 255 bytes", LogicalPath.problem("x".repeat(256)));
    assertNull(LogicalPath.problem("x".repeat(255)));
    assertTrue(LogicalPath.problem("a/".repeat(2049) + "a").contains("longer than"));
  }

  @Test
  void collisionKeyFoldsCaseAndCompatibilityForms() {
    assertEquals(new LogicalPath("Docs/A.txt").collisionKey(), new LogicalPath("docs/a.txt").collisionKey());
    assertEquals(new LogicalPath("\ufb01le").collisionKey(), new LogicalPath("file").collisionKey());
    assertNotEquals(new LogicalPath("a.txt").collisionKey(), new LogicalPath("b.txt").collisionKey());
  }
}
