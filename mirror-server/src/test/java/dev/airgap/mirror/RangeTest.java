package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.Digest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Range requests against /files/chan/digits.txt ("0123456789", 10 bytes). */
class RangeTest extends StandardMirror {
  static final String FILE = "/files/chan/digits.txt";
  static final String TAG = "\"" + Digest.of(MirrorFixture.utf8(DIGITS)).hex() + "\"";

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "bytes=0-0|0|0",
      "bytes=5-|5|9",
      "bytes=-3|7|9",
      "bytes=3-100|3|9",
      "bytes=0-9|0|9",
      "bytes=9-9|9|9",
      "bytes=-10|0|9",
      "bytes=-11|0|9",
      "BYTES=2-4|2|4",
      "bytes=0-9223372036854775807|0|9",
      "bytes=-9223372036854775807|0|9",
      "bytes=000002-000004|2|4",
      "bytes=,2-4|2|4",
      "bytes=2-4 ,|2|4",
  })
  void satisfiableSingleRangeIsPartialContent(String range, long first, long last) throws Exception {
    HttpResponse<byte[]> r = get(FILE, "Range", range);
    assertEquals(206, r.statusCode(), range);
    assertEquals(DIGITS.substring((int) first, (int) last + 1), new String(r.body(), StandardCharsets.US_ASCII));
    assertEquals("bytes " + first + "-" + last + "/10", r.headers().firstValue("Content-Range").orElseThrow());
    assertEquals(String.valueOf(last - first + 1), r.headers().firstValue("Content-Length").orElseThrow());
    assertEquals(TAG, r.headers().firstValue("ETag").orElseThrow());
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=-0", "bytes=10-", "bytes=10-20", "bytes=99-100", "bytes=9223372036854775807-"})
  void unsatisfiableRangeIs416WithTheSize(String range) throws Exception {
    HttpResponse<byte[]> r = get(FILE, "Range", range);
    assertEquals(416, r.statusCode(), range);
    assertEquals("bytes */10", r.headers().firstValue("Content-Range").orElseThrow());
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
    assertTrue(r.body().length < 100);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=9-2", "garbage", "bytes", "bytes=", "bytes=a-b", "items=0-1", "bytes= 0-1", "bytes=0 -1",
      "bytes =0-1", "bytes=0- 1", "bytes=--1", "bytes=1-2-3", "bytes=0x1-2", "bytes=+1-2", "bytes=1", "bytes=-", "bytes=-+3",
      "bytes=0-99999999999999999999", "bytes=99999999999999999999-", "bytes=-99999999999999999999",
      "bytes=0-1,3-4", "bytes=0-0,-1", "bytes=0-1;2-3", "bytes=\t0-1", "=0-1", "bytes:0-1", "bytes=1e3-"})
  void invalidOrMultipleRangesAreIgnored(String range) throws Exception {
    HttpResponse<byte[]> r = get(FILE, "Range", range);
    assertEquals(200, r.statusCode(), range);
    assertEquals(DIGITS, new String(r.body(), StandardCharsets.US_ASCII));
    assertTrue(r.headers().firstValue("Content-Range").isEmpty());
    assertEquals("10", r.headers().firstValue("Content-Length").orElseThrow());
  }

  @Test
  void nonAsciiDigitsAreNotDigits() throws Exception {
    // Arabic-Indic digits as raw UTF-8 bytes in the header: Character.isDigit would accept them.
    byte[] req = ("GET " + FILE + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nRange: bytes=").getBytes(StandardCharsets.ISO_8859_1);
    byte[] digits = "\u0661-\u0662\r\n\r\n".getBytes(StandardCharsets.UTF_8);
    byte[] all = Arrays.copyOf(req, req.length + digits.length);
    System.arraycopy(digits, 0, all, req.length, digits.length);
    RawHttp.Response r = RawHttp.send(server.port(), all, false);
    assertTrue(r.status() == 200 || r.status() == 400, "status " + r.status());
    if (r.status() == 200) assertEquals(DIGITS, r.bodyText());
  }

  @Test
  void twoRangeHeaderLinesAreIgnored() throws Exception {
    RawHttp.Response r = RawHttp.request(server.port(), "GET", FILE, "Range: bytes=0-0", "Range: bytes=1-1");
    assertEquals(200, r.status());
    assertEquals(DIGITS, r.bodyText());
  }

  @Test
  void ifRangeWithOurEtagHonoursTheRange() throws Exception {
    HttpResponse<byte[]> r = get(FILE, "Range", "bytes=2-3", "If-Range", TAG);
    assertEquals(206, r.statusCode());
    assertEquals("23", new String(r.body(), StandardCharsets.US_ASCII));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"0000\"", "W/\"0000\"", "Wed, 21 Oct 2015 07:28:00 GMT", "garbage"})
  void ifRangeThatDoesNotMatchSendsTheWholeFile(String ifRange) throws Exception {
    HttpResponse<byte[]> r = get(FILE, "Range", "bytes=2-3", "If-Range", ifRange);
    assertEquals(200, r.statusCode(), ifRange);
    assertEquals(DIGITS, new String(r.body(), StandardCharsets.US_ASCII));
  }

  @Test
  void weakFormOfOurEtagDoesNotSatisfyIfRange() throws Exception {
    HttpResponse<byte[]> r = get(FILE, "Range", "bytes=2-3", "If-Range", "W/" + TAG);
    assertEquals(200, r.statusCode());
  }

  @Test
  void headIgnoresRange() throws Exception {
    RawHttp.Response r = RawHttp.request(server.port(), "HEAD", FILE, "Range: bytes=0-0");
    assertEquals(200, r.status());
    assertEquals("10", r.header("Content-Length"));
  }

  @Test
  void emptyFileRangesAreUnsatisfiable() throws Exception {
    for (String range : new String[] {"bytes=0-", "bytes=0-0", "bytes=-1"}) {
      HttpResponse<byte[]> r = get("/files/chan/empty.txt", "Range", range);
      assertEquals(416, r.statusCode(), range);
      assertEquals("bytes */0", r.headers().firstValue("Content-Range").orElseThrow());
    }
  }

  @Test
  void rangeInsideABigFileCrossesBufferBoundaries() throws Exception {
    int first = 256 * 1024 - 7;
    int last = 3 * 256 * 1024 + 11;
    HttpResponse<byte[]> r = get("/files/chan/big.bin", "Range", "bytes=" + first + "-" + last);
    assertEquals(206, r.statusCode());
    assertArrayEquals(Arrays.copyOfRange(BIG, first, last + 1), r.body());
    assertEquals("bytes " + first + "-" + last + "/" + BIG.length, r.headers().firstValue("Content-Range").orElseThrow());
  }

  @Test
  void resumeFromTheMiddleToTheEnd() throws Exception {
    HttpResponse<byte[]> r = get("/files/chan/big.bin", "Range", "bytes=" + (BIG.length - 1000) + "-");
    assertEquals(206, r.statusCode());
    assertArrayEquals(Arrays.copyOfRange(BIG, BIG.length - 1000, BIG.length), r.body());
  }
}
