package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request targets sent byte for byte over a socket (no client normalisation). None may return
 * anything but indexed content: every secret planted around and inside the generation contains
 * {@link MirrorFixture#SECRET}, and none is reachable through the index.
 */
class HostilePathTest extends StandardMirror {
  static final Set<Integer> ACCEPTABLE = Set.of(400, 404, 414, 431);

  static Stream<String> targets() {
    List<String> t = new ArrayList<>(List.of(
        "/files/../staging/secret.txt",
        "/files/chan/../../../staging/secret.txt",
        "/files/chan/../../.secret",
        "/files/chan/../.secret",
        "/files/chan/%2e%2e/%2e%2e/.secret",
        "/files/chan/%2e%2e/%2e%2e/%2e%2e/%2e%2e/staging/secret.txt",
        "/files/chan/%2E%2e/%2E%2e/%2E%2e/%2E%2e/audit/audit.log",
        "/files/chan/%2E%2e/",
        "/files/chan/..%2f..%2f.secret",
        "/files/chan/..%2F..%2F..%2F..%2Fstaging%2Fsecret.txt",
        "/files/chan/%2e%2e%2f%2e%2e%2f.secret",
        "/files/chan/..%5c..%5c.secret",
        "/files/chan/..%5C..%5C..%5C..%5Cstaging%5Csecret.txt",
        "/files/chan/hello.txt%00",
        "/files/chan/hello.txt%00.png",
        "/files/chan/%00",
        "/files/chan/%252e%252e/%252e%252e/.secret",
        "/files/chan/%252e%252e%252f%252e%252e%252f.secret",
        "/files/chan/%c0%ae%c0%ae/%c0%ae%c0%ae/.secret",
        "/files/chan/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%af.secret",
        "/files/chan/%e0%80%ae%e0%80%ae/.secret",
        "/files/chan/%u002e%u002e/.secret",
        "/files/chan/..;/..;/.secret",
        "/files/chan/.;/hello.txt",
        "/files//chan/hello.txt",
        "/files/chan//hello.txt",
        "//files/chan/hello.txt",
        "/files/chan/./hello.txt",
        "/./files/chan/hello.txt",
        "/files/./chan/hello.txt",
        "/files/chan/dir/../hello.txt",
        "/files/chan\\..\\..\\.secret",
        "/files/chan/..\\..\\.secret",
        "/files/chan/%2e",
        "/files/chan/.",
        "/files/chan/..",
        "/files/%2e%2e/.secret",
        "/files/..%2f/.secret",
        "/files/chan/%ff%fe",
        "/files/chan/%",
        "/files/chan/%2",
        "/files/chan/%zz",
        "/files/chan/hello.txt%20",
        "/files/chan/%0d%0aX-Injected:%201",
        "/bundles/../.secret",
        "/bundles/..%2f.secret",
        "/bundles/%2e%2e/%2e%2e/.secret",
        "/bundles/%2e%2e/generation.json",
        "/bundles/../generation.json",
        "/bundles/chan-0001/..%2f..%2f.secret",
        "/bundles/chan-0001/.secret",
        "/bundles/chan-0001/../../../staging/secret.txt",
        "/bundles/.secret/manifest.json",
        "/bundles/./manifest.json",
        "/bundles/chan-0001%2fmanifest.json",
        "/staging/secret.txt",
        "/quarantine/rejected.bin",
        "/audit/audit.log",
        "/.lock",
        "/current/.secret",
        "/current/files/index.json",
        "/generations/0000000001/.secret",
        "/generations/0000000001/generation.json",
        "/store/sha256/",
        "/files/chan/hello.txt/../../../.lock",
        "http://127.0.0.1/../staging/secret.txt",
        "http://127.0.0.1/files/chan/../../.secret",
        "*",
        "../staging/secret.txt",
        "files/chan/hello.txt"));
    t.add("/files/chan/" + "a/".repeat(3000) + "x");
    t.add("/files/chan/" + "%2e%2e/".repeat(2000) + ".secret");
    t.add("/files/chan/" + "x".repeat(7000));
    t.add("/files/chan/" + "x".repeat(300) + ".txt");
    t.add("/files/" + "c".repeat(100) + "/hello.txt");
    return t.stream();
  }

  @ParameterizedTest
  @MethodSource("targets")
  void neverServesAnythingOutsideTheIndex(String target) throws Exception {
    for (String method : new String[] {"GET", "HEAD"}) {
      RawHttp.Response r = RawHttp.request(server.port(), method, target);
      assertTrue(ACCEPTABLE.contains(r.status()), method + " " + target + " -> " + r.status());
      assertFalse(r.bodyText().contains(MirrorFixture.SECRET), target);
      assertFalse(r.bodyText().contains(mirror.root.toString()), "no paths in error bodies: " + target);
      assertFalse(r.bodyText().toLowerCase(java.util.Locale.ROOT).contains("exception"), target);
      assertNotEquals(null, r.header("X-Content-Type-Options"), "nosniff on " + r.status() + " for " + target);
      assertTrue(r.headers("X-Injected").isEmpty());
    }
  }

  @Test
  void hugeHeadersAreRefusedNotCrashed() throws Exception {
    RawHttp.Response r = RawHttp.request(server.port(), "GET", "/files/chan/hello.txt", "X-Big: " + "y".repeat(64 * 1024));
    assertTrue(r.status() == 431 || r.status() == 400, "status " + r.status());
  }

  @Test
  void garbageRequestLinesGet400() throws Exception {
    for (String line : new String[] {"GET\r\n\r\n", "GET /files/chan/hello.txt\r\n\r\n", "GET /files/chan/hello.txt HTTP/9.9\r\nHost: x\r\n\r\n",
        "\u0000\u0001\u0002\r\n\r\n", "GET /files/chan/hello.txt HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        "GET /files/chan/a b HTTP/1.1\r\nHost: x\r\n\r\n"}) {
      RawHttp.Response r = RawHttp.send(server.port(), line.getBytes(StandardCharsets.ISO_8859_1), false);
      assertTrue(r.status() >= 400 && r.status() < 500 || r.status() == 505, line + " -> " + r.status());
      assertFalse(r.bodyText().contains(MirrorFixture.SECRET));
    }
  }
}
