package dev.airgap.mirror;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One published generation with a few files and bundles, served for a whole test class. */
abstract class StandardMirror {
  static final String HELLO = "hello, mirror\n";
  static final String DIGITS = "0123456789";
  static final byte[] BIG = new byte[8 * 1024 * 1024 + 12345];
  /** Logical path with a space, a plus, a percent sign and non-ASCII: requested as {@link #ODD_URL}. */
  static final String ODD_PATH = "docs/a b+ü%.txt";
  static final String ODD_URL = "/files/chan/docs/a%20b+%C3%BC%25.txt";

  static {
    new Random(42).nextBytes(BIG);
  }

  @TempDir static Path tmp;
  static MirrorFixture mirror;
  static MirrorServer server;
  static HttpClient client;

  @BeforeAll
  static void startServer() throws IOException {
    mirror = new MirrorFixture(tmp.resolve("mirror"));
    mirror.generation(1, List.of(
            new MirrorFixture.File("chan", "hello.txt", HELLO),
            new MirrorFixture.File("chan", "digits.txt", MirrorFixture.utf8(DIGITS), "application/octet-stream"),
            new MirrorFixture.File("chan", "empty.txt", new byte[0], "text/plain"),
            new MirrorFixture.File("chan", "dir/nested.txt", "nested\n"),
            new MirrorFixture.File("chan", ODD_PATH, "odd\n"),
            new MirrorFixture.File("chan", "docs/semi;colon=1,x@y:z!$&'()*.txt", "semi\n"),
            new MirrorFixture.File("chan", "docs/q?hash#.txt", "qhash\n"),
            new MirrorFixture.File("chan", "big.bin", BIG, "application/octet-stream"),
            new MirrorFixture.File("models", "org/m/model.safetensors", MirrorFixture.utf8("weights"), "application/octet-stream")),
        List.of(new MirrorFixture.Bundle("chan-0001", "chan", 1), new MirrorFixture.Bundle("chan-0002", "chan", 2),
            new MirrorFixture.Bundle("models-0001", "models", 1)));
    mirror.publish(1);
    server = MirrorServer.start(ServerOptions.loopback(mirror.root, 0));
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) server.close();
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  static HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET();
    if (headers.length > 0) b.headers(headers);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static HttpResponse<byte[]> send(String method, String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) b.headers(headers);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
