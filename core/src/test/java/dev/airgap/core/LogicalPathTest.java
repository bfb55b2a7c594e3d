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
