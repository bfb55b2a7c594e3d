package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.airgap.core.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationSwitchTest {
  static final int GENERATIONS = 4;

  /** Content that names its generation on every line, with a different length per generation. */
  static String content(long generation) {
    return ("generation " + generation + " line\n").repeat(2000 + (int) generation * 777);
  }

  static MirrorFixture mirrorWithGenerations(Path root) throws Exception {
    MirrorFixture mirror = new MirrorFixture(root);
    for (long g = 1; g <= GENERATIONS; g++) {
      mirror.generation(g, List.of(new MirrorFixture.File("chan", "gen.txt", content(g)),
              new MirrorFixture.File("chan", "only-in-" + g + ".txt", "only " + g + "\n")),
          List.of(new MirrorFixture.Bundle("chan-000" + g, "chan", g)));
    }
    return mirror;
  }

  static HttpResponse<String> get(HttpClient client, int port, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void newRequestsSeeTheNewGeneration(@TempDir Path tmp) throws Exception {
    MirrorFixture mirror = mirrorWithGenerations(tmp);
    mirror.publish(1);
    HttpClient client = HttpClient.newHttpClient();
    try (MirrorServer server = MirrorServer.start(ServerOptions.loopback(tmp, 0))) {
      int port = server.port();
      assertEquals(content(1), get(client, port, "/files/chan/gen.txt").body());
      assertEquals(200, get(client, port, "/files/chan/only-in-1.txt").statusCode());
      assertEquals(404, get(client, port, "/files/chan/only-in-2.txt").statusCode());
      assertTrue(get(client, port, "/bundles/index.json").body().contains("chan-0001"));

      mirror.publish(2);
      assertEquals(content(2), get(client, port, "/files/chan/gen.txt").body());
      assertEquals(404, get(client, port, "/files/chan/only-in-1.txt").statusCode());
      assertEquals(200, get(client, port, "/files/chan/only-in-2.txt").statusCode());
      String index = get(client, port, "/bundles/index.json").body();
      assertTrue(index.contains("chan-0002") && !index.contains("chan-0001"), index);
      assertEquals(200, get(client, port, "/bundles/chan-0002/manifest.json").statusCode());
      assertEquals(404, get(client, port, "/bundles/chan-0001/manifest.json").statusCode());

      // Back to an older generation (a rollback by hand), then forward past the cache size.
      mirror.publish(1);
      assertEquals(content(1), get(client, port, "/files/chan/gen.txt").body());
      for (long g = 2; g <= GENERATIONS; g++) {
        mirror.publish(g);
        assertEquals(content(g), get(client, port, "/files/chan/gen.txt").body());
      }
    }
  }

  @Test
  void aContinuousReaderNeverSeesAMixOfGenerations(@TempDir Path tmp) throws Exception {
    MirrorFixture mirror = mirrorWithGenerations(tmp);
    mirror.publish(1);
    Map<String, Long> generationOfBody = new HashMap<>();
    Map<String, Long> generationOfEtag = new HashMap<>();
    for (long g = 1; g <= GENERATIONS; g++) {
      generationOfBody.put(content(g), g);
      generationOfEtag.put("\"" + Digest.of(content(g).getBytes(StandardCharsets.UTF_8)).hex() + "\"", g);
    }
    HttpClient client = HttpClient.newHttpClient();
    try (MirrorServer server = MirrorServer.start(ServerOptions.loopback(tmp, 0))) {
      int port = server.port();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<String> failure = new AtomicReference<>();
      AtomicInteger requests = new AtomicInteger();
      Map<Long, Integer> seen = new ConcurrentHashMap<>();
      Thread reader = new Thread(() -> {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try {
          while (!stop.get() && System.nanoTime() < deadline && requests.get() < 20_000) {
            HttpResponse<String> r = get(client, port, "/files/chan/gen.txt");
            requests.incrementAndGet();
            Long byBody = generationOfBody.get(r.body());
            Long byTag = generationOfEtag.get(r.headers().firstValue("ETag").orElse(""));
            if (r.statusCode() != 200 || byBody == null || !byBody.equals(byTag)) {
              String firstLine = r.body().isEmpty() ? "" : r.body().substring(0, r.body().indexOf('\n') + 1);
              failure.compareAndSet(null, "status " + r.statusCode() + ", body starts '" + firstLine.strip() + "' (" + r.body().length()
                  + " chars, known=" + (byBody != null) + "), ETag generation " + byTag);
              return;
            }
            seen.merge(byBody, 1, Integer::sum);
          }
        } catch (Exception e) {
          failure.compareAndSet(null, e.toString());
        }
      });
      reader.start();
      long switchDeadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      int switches = 0;
      while (System.nanoTime() < switchDeadline && failure.get() == null && reader.isAlive()) {
        mirror.publish(1 + switches % GENERATIONS);
        switches++;
        Thread.sleep(switches % 3);
      }
      stop.set(true);
      reader.join(Duration.ofSeconds(90).toMillis());
      if (failure.get() != null) fail(failure.get());
      assertTrue(requests.get() > 50, "reader made only " + requests.get() + " requests");
      assertTrue(seen.size() >= 2, "reader saw generations " + seen + " over " + switches + " switches");
    }
  }

  @Test
  void listsOfGenerationsAreNotTakenFromTheFilesystemOrder(@TempDir Path tmp) throws Exception {
    // A newer generation directory that is not published must never be served.
    MirrorFixture mirror = mirrorWithGenerations(tmp);
    mirror.publish(2);
    HttpClient client = HttpClient.newHttpClient();
    try (MirrorServer server = MirrorServer.start(ServerOptions.loopback(tmp, 0))) {
      List<Integer> statuses = new ArrayList<>();
      for (long g = 1; g <= GENERATIONS; g++) statuses.add(get(client, server.port(), "/files/chan/only-in-" + g + ".txt").statusCode());
      assertEquals(List.of(404, 200, 404, 404), statuses);
    }
  }
}
