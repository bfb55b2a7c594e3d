package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged mirror is the operator's problem: a fixed 500 or a 404, never a leaked path or a hang. */
class BrokenMirrorTest {
  @Test
  void damagedStoreAndIndex(@TempDir Path tmp) throws Exception {
    MirrorFixture mirror = new MirrorFixture(tmp);
    byte[] missing = MirrorFixture.utf8("will be deleted\n");
    byte[] shrunk = MirrorFixture.utf8("will be truncated\n");
    mirror.generation(1, List.of(new MirrorFixture.File("chan", "missing.txt", missing, "text/plain"),
        new MirrorFixture.File("chan", "shrunk.txt", shrunk, "text/plain")), List.of());
    mirror.generation(2, List.of(new MirrorFixture.File("chan", "a.txt", "a\n")), List.of());
    Files.delete(mirror.layout.blob(dev.airgap.core.Digest.of(missing)));
    Files.write(mirror.layout.blob(dev.airgap.core.Digest.of(shrunk)), MirrorFixture.utf8("short"));
    Files.writeString(mirror.layout.generation(2).resolve("files/index.json"), "{ not json");
    mirror.publish(1);
    try (MirrorServer server = MirrorServer.start(ServerOptions.loopback(tmp, 0))) {
      assertEquals(404, RawHttp.request(server.port(), "GET", "/files/chan/missing.txt").status());
      RawHttp.Response shrunkResponse = RawHttp.request(server.port(), "GET", "/files/chan/shrunk.txt");
      assertEquals(500, shrunkResponse.status());
      assertEquals("internal error\n", shrunkResponse.bodyText());
      assertEquals("nosniff", shrunkResponse.header("X-Content-Type-Options"));
      assertEquals(null, shrunkResponse.header("ETag"));

      mirror.publish(2);
      RawHttp.Response badIndex = RawHttp.request(server.port(), "GET", "/files/chan/a.txt");
      assertEquals(500, badIndex.status());
      assertFalse(badIndex.bodyText().contains(tmp.toString()));
      assertEquals("internal error\n", badIndex.bodyText());
      // The rest of the server is unaffected.
      assertEquals(200, RawHttp.request(server.port(), "GET", "/healthz").status());
      assertEquals(200, RawHttp.request(server.port(), "GET", "/bundles/index.json").status());
    }
  }
}
