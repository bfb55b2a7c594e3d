package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParsersTest {
  @Test
  void rangeParsing() {
    assertEquals(new RangeRequest.Partial(0, 0), RangeRequest.parse("bytes=0-0", 10));
    assertEquals(new RangeRequest.Partial(7, 9), RangeRequest.parse("bytes=-3", 10));
    assertEquals(new RangeRequest.Partial(5, 9), RangeRequest.parse("bytes=5-", 10));
    assertEquals(RangeRequest.UNSATISFIABLE, RangeRequest.parse("bytes=-0", 10));
    assertEquals(RangeRequest.UNSATISFIABLE, RangeRequest.parse("bytes=10-", 10));
    assertEquals(RangeRequest.FULL, RangeRequest.parse("bytes=9-2", 10));
    assertEquals(RangeRequest.FULL, RangeRequest.parse("bytes=9223372036854775808-", 10));
    assertEquals(RangeRequest.FULL, RangeRequest.parse("bytes=\u0661-\u0662", 10));
    assertEquals(RangeRequest.FULL, RangeRequest.of(List.of("bytes=0-0", "bytes=1-1"), 10));
    assertEquals(RangeRequest.FULL, RangeRequest.of(List.of(), 10));
    assertEquals(new RangeRequest.Partial(0, 9), RangeRequest.parse("bytes=0-" + Long.MAX_VALUE, 10));
    assertEquals(new RangeRequest.Partial(0, Long.MAX_VALUE - 1), RangeRequest.parse("bytes=0-", Long.MAX_VALUE));
  }

  @Test
  void pathDecoding() {
    assertEquals("a b/c+ü%.txt", MirrorPaths.decodePath("a%20b/c+%C3%BC%25.txt"));
    assertEquals("%2e%2e", MirrorPaths.decodePath("%252e%252e"));
    assertEquals("..", MirrorPaths.decodePath("%2e%2e"));
    assertEquals("a//b", MirrorPaths.decodePath("a//b"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"%c0%ae", "%e0%80%ae", "%ff", "%", "%2", "%zz", "a%2fb", "a%2Fb", "é", "a b", "a\tb", "%u002e", "%C3", "%ed%a0%80",
      "%\u0661\u0662"})
  void pathDecodingRefuses(String raw) {
    assertNull(MirrorPaths.decodePath(raw), raw);
  }

  @Test
  void entityTags() {
    String ours = "\"abc\"";
    assertTrue(EntityTags.anyMatches(List.of("\"abc\""), ours, true));
    assertTrue(EntityTags.anyMatches(List.of("\"x\", \"abc\""), ours, true));
    assertTrue(EntityTags.anyMatches(List.of("\"x\"", "W/\"abc\""), ours, false));
    assertFalse(EntityTags.anyMatches(List.of("W/\"abc\""), ours, true));
    assertTrue(EntityTags.anyMatches(List.of("*"), ours, true));
    assertFalse(EntityTags.anyMatches(List.of("abc"), ours, false));
    assertFalse(EntityTags.anyMatches(List.of("\"abc\" \"abc\""), ours, false));
    assertFalse(EntityTags.anyMatches(List.of("\"abc"), ours, false));
    assertTrue(EntityTags.ifRangeMatches("\"abc\"", ours));
    assertFalse(EntityTags.ifRangeMatches("W/\"abc\"", ours));
    assertFalse(EntityTags.ifRangeMatches("Wed, 21 Oct 2015 07:28:00 GMT", ours));
  }

  @Test
  void mediaTypesAreSanitised() {
    assertEquals("text/plain; charset=utf-8", Resource.safeMediaType("text/plain; charset=utf-8"));
    assertEquals("application/vnd.oci.image.manifest.v1+json", Resource.safeMediaType("application/vnd.oci.image.manifest.v1+json"));
    assertEquals(Resource.OCTET_STREAM, Resource.safeMediaType("text/html\r\nX-Evil: 1"));
    assertEquals(Resource.OCTET_STREAM, Resource.safeMediaType("nonsense"));
    assertEquals(Resource.OCTET_STREAM, Resource.safeMediaType(null));
  }
}
