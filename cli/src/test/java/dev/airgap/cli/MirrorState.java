package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.HashingCopy;
import dev.airgap.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Observations of a mirror directory from the outside, for before/after comparisons. */
final class MirrorState {
  private MirrorState() {}

  /**
   * What a client and the importer can see of a mirror: where {@code current} points, and every
   * entry under {@code generations/} and {@code store/} (regular files by SHA-256, symlinks by target,
   * directories by name).
   */
  record Snapshot(String current, Map<String, String> entries) {}

  static Snapshot snapshot(Path mirror) {
    Map<String, String> entries = new TreeMap<>();
    for (String top : List.of("generations", "store")) {
      Path dir = mirror.resolve(top);
      if (!Files.exists(dir)) continue;
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.toList()) {
          String rel = mirror.relativize(p).toString();
          if (Files.isSymbolicLink(p)) entries.put(rel, "symlink -> " + Files.readSymbolicLink(p));
          else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) entries.put(rel, "dir");
          else entries.put(rel, sha256(p).toString());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new Snapshot(current(mirror), entries);
  }

  /** {@code readlink MIRROR/current}, or null when there is none. */
  static String current(Path mirror) {
    try {
      return Files.readSymbolicLink(mirror.resolve("current")).toString();
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Digest sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return HashingCopy.hash(in).digest();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every record of {@code MIRROR/audit/audit.log}, parsed. */
  static List<JsonNode> audit(Path mirror) {
    Path log = mirror.resolve("audit/audit.log");
    List<JsonNode> records = new ArrayList<>();
    if (!Files.exists(log)) return records;
    try {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) records.add(Json.strict().readTree(line));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return records;
  }

  /** Names in a directory (empty when it does not exist). */
  static List<String> list(Path dir) {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException | UncheckedIOException e) {
      if (!Files.isDirectory(dir)) return List.of(); // removed while listing
      throw e instanceof IOException io ? new UncheckedIOException(io) : (UncheckedIOException) e;
    }
  }

  /**
   * Runs {@code airgap audit verify --mirror} and requires exit 0 and "chain intact". In process,
   * through the CLI's own {@link Main#run} (same command code and exit-code mapping as the
   * launcher), because it runs after every import attempt and a JVM start per check doubled the
   * run time of the hostile-input suite.
   */
  static void auditVerifies(Path mirror) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code = Main.run(new String[] {"audit", "verify", "--mirror", mirror.toString()}, new java.io.PrintWriter(out), new java.io.PrintWriter(err));
    assertEquals(0, code, () -> "airgap audit verify --mirror " + mirror + " exited " + code + "\nstdout: " + out + "\nstderr: " + err);
    org.junit.jupiter.api.Assertions.assertTrue(out.toString().contains("chain intact"), out::toString);
  }

  static HttpResponse<byte[]> get(HttpClient http, String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GET that must answer 200; returns the body. */
  static byte[] fetch(HttpClient http, String url) {
    HttpResponse<byte[]> r = get(http, url);
    assertEquals(200, r.statusCode(), () -> "GET " + url + ": " + new String(r.body(), StandardCharsets.UTF_8));
    return r.body();
  }

  /** GET that must answer 200; returns the SHA-256 of the body, streamed. */
  static Digest fetchDigest(HttpClient http, String url) {
    try {
      HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        if (r.statusCode() != 200) throw new AssertionError("GET " + url + ": status " + r.statusCode() + ": " + new String(in.readNBytes(500), StandardCharsets.UTF_8));
        return HashingCopy.hash(in).digest();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
