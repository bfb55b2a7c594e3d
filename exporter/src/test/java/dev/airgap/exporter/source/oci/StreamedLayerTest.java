package dev.airgap.exporter.source.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.airgap.core.Digest;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.bundle.BundleHead;
import dev.airgap.core.bundle.BundleWriter;
import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers streamed from a registry straight into the bundle: a loopback registry that misbehaves in
 * the ways a real one can (dropped connection, wrong bytes, wrong length, redirect, token) and the
 * real {@link BundleWriter}, which must never leave a bundle behind a failure.
 */
class StreamedLayerTest {
  @TempDir Path tmp;
  HttpServer server;
  URI base;
  final byte[] blob = new byte[3 << 20];
  Digest digest;
  /** What the blob endpoint does: "ok", "truncate", "tamper", "long-header", "extra", "redirect", "token". */
  volatile String mode = "ok";
  final List<String> authHeaders = new CopyOnWriteArrayList<>();
  final List<String> storageAuth = new CopyOnWriteArrayList<>();
  final List<String> tokenAuth = new CopyOnWriteArrayList<>();
  static final byte[] MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}".getBytes(StandardCharsets.UTF_8);

  @BeforeEach
  void start() throws IOException {
    new Random(7).nextBytes(blob);
    digest = Digest.of(blob);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v2/team/app/blobs/", this::blobs);
    server.createContext("/storage/", ex -> {
      storageAuth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
      send(ex, blob, blob.length, blob.length);
    });
    server.createContext("/v2/team/app/manifests/", ex -> {
      if (!"Bearer t0k".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + base + "/token\",service=\"test\",scope=\"repository:team/app:pull\"");
        ex.sendResponseHeaders(401, -1);
        ex.close();
        return;
      }
      ex.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
      ex.getResponseHeaders().add("Docker-Content-Digest", Digest.of(MANIFEST).toString());
      send(ex, MANIFEST, MANIFEST.length, MANIFEST.length);
    });
    server.createContext("/token", ex -> {
      tokenAuth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
      byte[] t = "{\"token\":\"t0k\"}".getBytes();
      send(ex, t, t.length, t.length);
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void blobs(HttpExchange ex) throws IOException {
    authHeaders.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
    switch (mode) {
      case "truncate" -> {
        ex.getResponseHeaders().add("Location", droppingServer() + "/storage/" + digest.hex());
        ex.sendResponseHeaders(307, -1);
        ex.close();
      }
      case "tamper" -> {
        byte[] bad = blob.clone();
        bad[bad.length / 2] ^= 1;
        send(ex, bad, bad.length, bad.length);
      }
      case "long-header" -> send(ex, blob, blob.length + 1L, blob.length);
      case "extra" -> send(ex, new byte[blob.length + 10], 0, blob.length + 10);
      case "redirect" -> {
        ex.getResponseHeaders().add("Location", "/storage/" + digest.hex());
        ex.sendResponseHeaders(307, -1);
        ex.close();
      }
      case "token", "token-elsewhere" -> {
        if (!"Bearer t0k".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
          ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + base + "/token\",service=\"test\"");
          ex.sendResponseHeaders(401, -1);
          ex.close();
        } else if (mode.equals("token-elsewhere")) {
          // another origin (localhost is not 127.0.0.1): the token must not follow
          ex.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort() + "/storage/" + digest.hex());
          ex.sendResponseHeaders(307, -1);
          ex.close();
        } else {
          send(ex, blob, blob.length, blob.length);
        }
      }
      default -> send(ex, blob, blob.length, blob.length);
    }
  }

  /**
   * A one-shot server that announces the whole blob, sends half and closes the connection (the
   * JDK's HttpServer keeps a short fixed-length response open instead).
   */
  private String droppingServer() throws IOException {
    ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      try (listener; Socket s = listener.accept()) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
          // request head: ignored
        }
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + blob.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(blob, 0, blob.length / 2);
        out.flush();
      } catch (IOException ignored) {
        // the client hung up first: the test's assertions tell
      }
    });
    t.setDaemon(true);
    t.start();
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /** Announces {@code length} (0: chunked) and sends the first {@code count} bytes of {@code body}, then closes. */
  private static void send(HttpExchange ex, byte[] body, long length, int count) throws IOException {
    ex.sendResponseHeaders(200, length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body, 0, count);
    } catch (IOException ignored) {
      // a short fixed-length body: the server closes the connection, which is the point
    }
    ex.close();
  }

  private BlobSource layer() {
    RegistrySource source = new RegistrySource(new RegistryClient(base, Optional.empty()), "team/app", tmp.resolve("work"));
    return source.layer(digest, blob.length);
  }

  /** Writes a bundle holding only the streamed layer; returns the bundle path (committed or not). */
  private Path write() {
    Path out = tmp.resolve("out.bundle");
    try (BundleWriter w = BundleWriter.create(out, Instant.EPOCH)) {
      w.writeHead(new BundleHead(new byte[] {'{', '}'}, new byte[] {'{', '}'}, new byte[] {'{', '}'}));
      w.writeBlob(layer());
      w.commit();
    }
    return out;
  }

  private <T extends AirgapException> T fails(Class<T> type) throws IOException {
    T e = assertThrows(type, this::write);
    assertFalse(Files.exists(tmp.resolve("out.bundle")), "no bundle after a failed stream");
    try (var files = Files.list(tmp)) {
      assertEquals(List.of(), files.filter(p -> p.getFileName().toString().contains("bundle")).toList(), "no partial bundle left");
    }
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e;
  }

  @Test
  void aLayerIsStreamedIntoTheBundleWithoutTouchingTheWorkDirectory() {
    Path out = write();
    assertTrue(Files.isRegularFile(out));
    assertFalse(Files.exists(tmp.resolve("work")), "nothing is downloaded into the work directory");
  }

  @Test
  void aConnectionDroppedMidwayIsAnEnvironmentErrorAndLeavesNoBundle() throws IOException {
    mode = "truncate";
    EnvironmentException e = fails(EnvironmentException.class);
    assertEquals(6, e.exitCode());
    assertTrue(e.getMessage().contains("/v2/team/app/blobs/" + digest) && e.getMessage().contains("connection ended after " + blob.length / 2 + " of " + blob.length), e.getMessage());
  }

  @Test
  void tamperedBytesAreADigestMismatchNamingTheRegistry() throws IOException {
    mode = "tamper";
    IntegrityException e = fails(IntegrityException.class);
    assertEquals(3, e.exitCode());
    assertTrue(e.getMessage().contains(digest.toString()) && e.getMessage().contains("digest mismatch") && e.getMessage().contains("as the registry served it"), e.getMessage());
    assertFalse(e.getMessage().contains("changed while exporting"), e.getMessage());
  }

  @Test
  void aContentLengthOtherThanTheDescriptorsIsRefusedBeforeReading() throws IOException {
    mode = "long-header";
    IntegrityException e = fails(IntegrityException.class);
    assertTrue(e.getMessage().contains("size mismatch") && e.getMessage().contains("Content-Length"), e.getMessage());
  }

  @Test
  void moreBytesThanTheDescriptorPromisesAreCutOff() throws IOException {
    mode = "extra";
    IntegrityException e = fails(IntegrityException.class);
    assertTrue(e.getMessage().contains("more than the descriptor's " + blob.length + " bytes"), e.getMessage());
  }

  @Test
  void redirectsAndBearerTokensWorkAsForManifests() {
    mode = "redirect";
    assertTrue(Files.isRegularFile(write()));
    Path out = tmp.resolve("out.bundle");
    mode = "token";
    authHeaders.clear();
    assertTrue(Files.isRegularFile(write()));
    assertEquals(List.of("null", "Bearer t0k"), authHeaders);
    assertTrue(Files.exists(out));
  }

  @Test
  void manifestsUseTheTokenFlowWithBasicCredentialsAndTokensNeverLeaveTheOrigin() {
    RegistrySource source = new RegistrySource(new RegistryClient(base, Optional.of("dXNlcjpwYXNz")), "team/app", tmp.resolve("work"));
    ContentSource.Fetched m = source.manifest("1").orElseThrow();
    assertEquals(Digest.of(MANIFEST), m.digest());
    assertEquals("application/vnd.oci.image.manifest.v1+json", m.mediaType());
    assertEquals(List.of("Basic dXNlcjpwYXNz"), tokenAuth);
    mode = "token-elsewhere";
    assertTrue(Files.isRegularFile(write()));
    assertEquals(List.of("null"), storageAuth, "the bearer token is not sent to another origin");
  }
}
