package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.Digest;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FilesRouteTest extends StandardMirror {
  static String etag(byte[] content) {
    return "\"" + Digest.of(content).hex() + "\"";
  }

  @Test
  void getServesTheIndexedBlobByteExactWithItsHeaders() throws Exception {
    HttpResponse<byte[]> r = get("/files/chan/hello.txt");
    assertEquals(200, r.statusCode());
    assertEquals(HELLO, new String(r.body(), StandardCharsets.UTF_8));
    assertEquals(String.valueOf(HELLO.length()), r.headers().firstValue("Content-Length").orElseThrow());
    assertEquals(etag(MirrorFixture.utf8(HELLO)), r.headers().firstValue("ETag").orElseThrow());
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
    assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElseThrow());
    assertEquals("no-cache", r.headers().firstValue("Cache-Control").orElseThrow());
    assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
    assertTrue(r.headers().firstValue("Transfer-Encoding").isEmpty());
    assertTrue(r.headers().firstValue("Server").isEmpty(), "no server banner");
  }

  @Test
  void contentTypeComesFromTheIndex() throws Exception {
    HttpResponse<byte[]> r = get("/files/chan/digits.txt");
    assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(DIGITS, new String(r.body(), StandardCharsets.US_ASCII));
  }

  @Test
  void channelsAndNestedPathsAreSeparateNamespaces() throws Exception {
    assertEquals("nested\n", new String(get("/files/chan/dir/nested.txt").body(), StandardCharsets.UTF_8));
    assertEquals("weights", new String(get("/files/models/org/m/model.safetensors").body(), StandardCharsets.UTF_8));
    assertEquals(404, get("/files/models/hello.txt").statusCode());
    assertEquals(404, get("/files/chan/org/m/model.safetensors").statusCode());
  }

  @Test
  void pathIsPercentDecodedExactlyOnce() throws Exception {
    HttpResponse<byte[]> r = get(ODD_URL);
    assertEquals(200, r.statusCode());
    assertEquals("odd\n", new String(r.body(), StandardCharsets.UTF_8));
    // Decoding twice would turn %2525 into %: it must stay "%25" and miss.
    assertEquals(404, get("/files/chan/docs/a%20b+%C3%BC%2525.txt").statusCode());
    assertEquals("semi\n", new String(get("/files/chan/docs/semi;colon=1,x@y:z!$&'()*.txt").body(), StandardCharsets.UTF_8));
    assertEquals("semi\n", new String(get("/files/chan/docs/semi%3Bcolon%3D1%2Cx%40y%3Az%21%24%26%27%28%29%2A.txt").body(), StandardCharsets.UTF_8));
    assertEquals("qhash\n", new String(get("/files/chan/docs/q%3Fhash%23.txt").body(), StandardCharsets.UTF_8));
    // A query string is not part of the path.
    assertEquals(200, get("/files/chan/hello.txt?x=1").statusCode());
  }

  @Test
  void nonNfcSpellingIsNotTheSameFile() throws Exception {
    // "u" + combining diaeresis: NFD form of the NFC "ü" in the index.
    assertEquals(404, get("/files/chan/docs/a%20b+u%CC%88%25.txt").statusCode());
  }

  @Test
  void emptyFileHasZeroLength() throws Exception {
    HttpResponse<byte[]> r = get("/files/chan/empty.txt");
    assertEquals(200, r.statusCode());
    assertEquals(0, r.body().length);
    assertEquals("0", r.headers().firstValue("Content-Length").orElseThrow());
  }

  @Test
  void bigFileStreamsWithContentLength() throws Exception {
    HttpResponse<byte[]> r = get("/files/chan/big.bin");
    assertEquals(200, r.statusCode());
    assertEquals(String.valueOf(BIG.length), r.headers().firstValue("Content-Length").orElseThrow());
    assertArrayEquals(BIG, r.body());
    assertEquals(etag(BIG), r.headers().firstValue("ETag").orElseThrow());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/files/chan/hello.txt", "/files/chan/big.bin", "/files/chan/empty.txt", "/files/chan/missing.txt",
      "/nope", "/healthz", "/bundles/index.json", "/bundles/chan-0001/manifest.json"})
  void headSendsExactlyTheHeadersOfGetAndNoBody(String path) throws Exception {
    RawHttp.Response get = RawHttp.request(server.port(), "GET", path);
    RawHttp.Response head = RawHttp.request(server.port(), "HEAD", path);
    assertEquals(get.status(), head.status());
    assertEquals(get.headersWithoutDate(), head.headersWithoutDate());
    assertTrue(head.header("Content-Length") != null);
    // The server must close after the headers: anything more would be a body.
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(RawHttp.TIMEOUT_MS);
      s.getOutputStream().write(("HEAD " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(all.endsWith("\r\n\r\n"), "no body after HEAD headers");
    }
  }

  @Test
  void ifNoneMatchGivesNotModified() throws Exception {
    String tag = etag(MirrorFixture.utf8(HELLO));
    for (String inm : new String[] {tag, "*", "W/" + tag, "\"other\", " + tag}) {
      HttpResponse<byte[]> r = get("/files/chan/hello.txt", "If-None-Match", inm);
      assertEquals(304, r.statusCode(), inm);
      assertEquals(0, r.body().length);
      assertEquals(tag, r.headers().firstValue("ETag").orElseThrow());
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
      // RFC 9110 §8.6: if a 304 carries Content-Length at all, it is the 200's.
      r.headers().firstValue("Content-Length").ifPresent(cl -> assertEquals(String.valueOf(HELLO.length()), cl));
    }
    assertEquals(200, get("/files/chan/hello.txt", "If-None-Match", "\"other\"").statusCode());
    assertEquals(200, get("/files/chan/hello.txt", "If-None-Match", "garbage").statusCode());
  }

  @Test
  void ifMatchMismatchIsPreconditionFailed() throws Exception {
    String tag = etag(MirrorFixture.utf8(HELLO));
    assertEquals(412, get("/files/chan/hello.txt", "If-Match", "\"other\"").statusCode());
    assertEquals(412, get("/files/chan/hello.txt", "If-Match", "W/" + tag).statusCode());
    assertEquals(200, get("/files/chan/hello.txt", "If-Match", tag).statusCode());
    assertEquals(200, get("/files/chan/hello.txt", "If-Match", "*").statusCode());
  }

  @Test
  void healthz() throws Exception {
    HttpResponse<byte[]> r = get("/healthz");
    assertEquals(200, r.statusCode());
    assertEquals("ok\n", new String(r.body(), StandardCharsets.US_ASCII));
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
  }

  @Test
  void clientGoingAwayMidBodyLeavesTheServerServing() throws Exception {
    for (int i = 0; i < 5; i++) {
      try (Socket s = new Socket("127.0.0.1", server.port())) {
        s.setSoTimeout(RawHttp.TIMEOUT_MS);
        s.getOutputStream().write("GET /files/chan/big.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        assertEquals(4096, in.readNBytes(4096).length);
      }
    }
    assertArrayEquals(BIG, get("/files/chan/big.bin").body());
  }

  @Test
  void keepAliveConnectionServesSeveralRequests() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(RawHttp.TIMEOUT_MS);
      s.getOutputStream().write(("GET /files/chan/hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /files/chan/missing HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /files/chan/digits.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      assertEquals(HELLO, RawHttp.read(in, false).bodyText());
      assertEquals(404, RawHttp.read(in, false).status());
      assertEquals(DIGITS, RawHttp.read(in, false).bodyText());
    }
  }

  @Test
  void onlyTheLoopbackAddressGivenIsBound() {
    // 127.0.0.2 is loopback too, but the server was bound to 127.0.0.1 only.
    assertThrowsConnect("127.0.0.2", server.port());
  }

  static void assertThrowsConnect(String host, int port) {
    org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> {
      try (Socket s = new Socket()) {
        s.connect(new java.net.InetSocketAddress(host, port), 2000);
      }
    }, "connected to " + host);
  }

  @Test
  void noSetCookieOrSessionEver() throws Exception {
    for (String p : new String[] {"/files/chan/hello.txt", "/nope", "/healthz"}) {
      Map<String, java.util.List<String>> h = get(p).headers().map();
      assertFalse(h.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("set-cookie")), p);
    }
  }
}
