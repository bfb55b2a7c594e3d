package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MethodsAndNotFoundTest extends StandardMirror {
  static final String[] PATHS = {"/files/chan/hello.txt", "/healthz", "/nope", "/bundles/index.json", "/"};

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
  void otherMethodsAre405WithAllow(String method) throws Exception {
    for (String path : PATHS) {
      HttpResponse<byte[]> r = send(method, path);
      assertEquals(405, r.statusCode(), method + " " + path);
      assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow());
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"TRACE", "FOO", "PROPFIND", "MKCOL", "LOCK", "get", "QUERY"})
  void unusualMethodsAre405Too(String method) throws Exception {
    for (String path : PATHS) {
      RawHttp.Response r = RawHttp.request(server.port(), method, path);
      assertEquals(405, r.status(), method + " " + path);
      assertEquals("GET, HEAD", r.header("Allow"));
      assertEquals("nosniff", r.header("X-Content-Type-Options"));
    }
  }

  @Test
  void postWithABodyIsRefusedAndDoesNotWrite() throws Exception {
    byte[] body = "payload".getBytes(StandardCharsets.US_ASCII);
    RawHttp.Response r = RawHttp.send(server.port(), ("PUT /files/chan/new.txt HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length
        + "\r\nConnection: close\r\n\r\npayload").getBytes(StandardCharsets.US_ASCII), false);
    assertEquals(405, r.status());
    assertEquals(404, get("/files/chan/new.txt").statusCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/nope", "/files", "/files/", "/files/chan", "/files/chan/", "/files/chan/dir", "/files/chan/dir/",
      "/files/chan/missing.txt", "/files/other/hello.txt", "/files/CHAN/hello.txt", "/files/chan/HELLO.TXT", "/files/chan/hello.txt/",
      "/bundles", "/bundles/", "/bundles/chan-0001", "/bundles/chan-0001/", "/bundles/chan-0001/other.json", "/bundles/nope/manifest.json",
      "/bundles/index.json/", "/bundles/chan-0001/.secret", "/healthz/", "/HEALTHZ", "/healthz/x", "/store/", "/generations/", "/current/",
      "/files/chan/.secret", "/files/.secret", "/favicon.ico", "/index.html", "/files/chan/dir/nested.txt.", "/files/chan/dir%2fnested.txt"})
  void unknownAndDirectoryLikePathsGetTheOneFixed404(String path) throws Exception {
    RawHttp.Response r = RawHttp.request(server.port(), "GET", path);
    assertTrue(r.status() == 404 || (r.status() == 400 && path.contains("%2f")), path + " -> " + r.status());
    if (r.status() == 404) {
      assertEquals(MirrorHandler.NOT_FOUND, r.bodyText());
      Map<String, String> reference = RawHttp.request(server.port(), "GET", "/nope").headersWithoutDate();
      assertEquals(reference, r.headersWithoutDate(), path);
    }
    assertEquals("nosniff", r.header("X-Content-Type-Options"));
    assertTrue(!r.bodyText().contains(MirrorFixture.SECRET));
  }

  /** Registries redirect their base without the slash; other prefixes without it stay not found. */
  @Test
  void theRegistryBaseWithoutItsSlashRedirects() throws Exception {
    RawHttp.Response r = RawHttp.request(server.port(), "GET", "/v2");
    assertEquals(301, r.status());
    assertEquals("/v2/", r.header("Location"));
    assertEquals(301, RawHttp.request(server.port(), "HEAD", "/v2").status());
    assertEquals(404, RawHttp.request(server.port(), "GET", "/files").status());
    assertEquals(404, RawHttp.request(server.port(), "GET", "/v2x").status());
  }

  @Test
  void notFoundHeadersAreFixed() throws Exception {
    RawHttp.Response r = RawHttp.request(server.port(), "GET", "/nope");
    assertEquals("text/plain;charset=utf-8", r.header("Content-Type").toLowerCase(java.util.Locale.ROOT).replace(" ", ""));
    assertEquals(String.valueOf(MirrorHandler.NOT_FOUND.length()), r.header("Content-Length"));
    assertEquals(null, r.header("ETag"));
  }
}
