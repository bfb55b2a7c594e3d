package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.airgap.cli.BundleForge.Forged;
import dev.airgap.core.Digest;
import dev.airgap.signing.SigningKey;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing a generation is atomic for readers and survives {@code kill -9}: clients of
 * {@code airgap serve} see one generation's bytes per response while an import switches
 * {@code current}, and an import killed at any moment leaves the previous generation (or the
 * complete new one) served, after which the same import completes normally.
 */
class AtomicPublishTest {
  @TempDir Path tmp;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  // ---------------------------------------------------------------------------------------------
  // (a) readers during a generation switch

  private static final List<String> PATHS = List.of("pkg/a.bin", "pkg/b.bin", "pkg/c.bin", "pkg/d.bin");
  private static final int[] MIB = {1, 3, 5, 8};

  /**
   * The content of {@code path} in generation {@code gen}: every 64-byte line names the generation,
   * the path and the line number, so any splice of two generations (or two offsets) is visible.
   * Sizes differ between generations too.
   */
  static byte[] content(int gen, String path) {
    int index = PATHS.indexOf(path);
    int size = (MIB[index] << 20) + gen * 4096 + 17;
    byte[] out = new byte[size];
    String head = "gen-" + gen + ":" + path + "\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(h, 0, out, 0, h.length);
    int pos = h.length;
    int line = 0;
    while (pos < size) {
      byte[] l = String.format("gen-%d:%s:%010d:%s%n", gen, path, line++, "x".repeat(20)).getBytes(StandardCharsets.US_ASCII);
      int n = Math.min(l.length, size - pos);
      System.arraycopy(l, 0, out, pos, n);
      pos += n;
    }
    return out;
  }

  /** Generation named by a response's first line, or -1. */
  static int generationOf(byte[] body) {
    int nl = 0;
    while (nl < body.length && nl < 200 && body[nl] != '\n') nl++;
    String first = new String(body, 0, nl, StandardCharsets.US_ASCII);
    if (!first.startsWith("gen-")) return -1;
    try {
      return Integer.parseInt(first.substring(4, first.indexOf(':')));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private BundleForge generation(SigningKey key, int gen) {
    BundleForge f = new BundleForge().channel("lab").sequence(gen).signedBy(key);
    for (String p : PATHS) f.file(p, content(gen, p));
    return f;
  }

  @Test
  void readersSeeOneWholeGenerationPerResponseDuringTheSwitch() throws Exception {
    SigningKey key = BundleForge.newKey(tmp.resolve("keys"), "ops");
    Path trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(tmp.resolve("keys/ops.pub"), trust.resolve("ops.pub"));
    Path mirror = tmp.resolve("mirror");
    Forged first = generation(key, 1).write(tmp.resolve("gen1.bundle"));
    Forged second = generation(key, 2).write(tmp.resolve("gen2.bundle"));
    Cli.runStable(List.of(), "import", first.path().toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(0);

    Map<String, byte[]> gen1 = new LinkedHashMap<>();
    Map<String, byte[]> gen2 = new LinkedHashMap<>();
    for (String p : PATHS) {
      gen1.put(p, content(1, p));
      gen2.put(p, content(2, p));
    }

    try (Cli.Server server = Cli.Server.startStable(mirror)) {
      byte[] index1 = MirrorState.fetch(http, server.url("/bundles/index.json"));
      assertTrue(new String(index1, StandardCharsets.UTF_8).contains(first.bundleId()));
      for (String p : PATHS) assertArrayEquals(gen1.get(p), MirrorState.fetch(http, server.url("/files/lab/" + p)), p);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicBoolean importRunning = new AtomicBoolean(true);
      ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<byte[]> indexBodies = new ConcurrentLinkedQueue<>();
      AtomicInteger[] seen = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
      AtomicInteger duringImport = new AtomicInteger();
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int offset = t;
        Thread reader = new Thread(() -> {
          int highest = 1;
          int i = offset;
          while (!stop.get()) {
            int slot = i++ % (PATHS.size() + 1);
            boolean running = importRunning.get();
            if (slot == PATHS.size()) {
              HttpResponse<byte[]> r = MirrorState.get(http, server.url("/bundles/index.json"));
              if (r.statusCode() != 200) problems.add("index.json: status " + r.statusCode());
              else indexBodies.add(r.body());
              continue;
            }
            String p = PATHS.get(slot);
            HttpResponse<byte[]> r = MirrorState.get(http, server.url("/files/lab/" + p));
            if (r.statusCode() != 200) {
              problems.add(p + ": status " + r.statusCode());
              continue;
            }
            int gen = generationOf(r.body());
            byte[] expected = gen == 1 ? gen1.get(p) : gen == 2 ? gen2.get(p) : null;
            if (expected == null || !Arrays.equals(expected, r.body())) {
              problems.add(p + ": response of " + r.body().length + " bytes is not entirely one generation (first line says generation " + gen + ")");
              continue;
            }
            String length = r.headers().firstValue("Content-Length").orElse(null);
            if (length != null && Long.parseLong(length) != expected.length) problems.add(p + ": Content-Length " + length + " with a body of generation " + gen);
            if (gen < highest) problems.add(p + ": generation " + gen + " served after this reader already saw generation " + highest);
            highest = Math.max(highest, gen);
            seen[gen].incrementAndGet();
            if (running) duringImport.incrementAndGet();
          }
        }, "reader-" + t);
        reader.setDaemon(true);
        readers.add(reader);
        reader.start();
      }

      Thread.sleep(300); // readers are up and have seen generation 1
      Process importer = Cli.startStable(List.of(), "import", second.path().toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan");
      String output = new String(importer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(importer.waitFor(2, TimeUnit.MINUTES));
      importRunning.set(false);
      assertEquals(0, importer.exitValue(), output);
      assertTrue(output.contains("published generation 2"), output);
      Thread.sleep(300); // and keep reading the new generation for a while
      stop.set(true);
      for (Thread r : readers) r.join(30_000);

      assertEquals(List.of(), new ArrayList<>(problems));
      assertTrue(seen[1].get() > 0 && seen[2].get() > 0, "readers saw both generations: " + seen[1] + " / " + seen[2]);
      assertTrue(duringImport.get() > 0, "some responses were served while the import ran");

      byte[] index2 = MirrorState.fetch(http, server.url("/bundles/index.json"));
      assertTrue(new String(index2, StandardCharsets.UTF_8).contains(second.bundleId()), new String(index2, StandardCharsets.UTF_8));
      for (byte[] body : indexBodies) {
        assertTrue(Arrays.equals(index1, body) || Arrays.equals(index2, body), "index.json was neither generation's: " + new String(body, StandardCharsets.UTF_8));
      }
      // after the import, every response is generation 2
      for (int round = 0; round < 3; round++) {
        for (String p : PATHS) assertArrayEquals(gen2.get(p), MirrorState.fetch(http, server.url("/files/lab/" + p)), p);
        assertArrayEquals(index2, MirrorState.fetch(http, server.url("/bundles/index.json")));
      }
    }
    MirrorState.auditVerifies(mirror);
  }

  // ---------------------------------------------------------------------------------------------
  // (b) kill -9 during an import

  private static final int BIG_FILES = 6;
  private static final int BIG_MIB = 50;

  @Test
  void importKilledAtAnyMomentLeavesAConsistentMirror() throws Exception {
    SigningKey key = BundleForge.newKey(tmp.resolve("keys"), "ops");
    Path trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(tmp.resolve("keys/ops.pub"), trust.resolve("ops.pub"));

    // generation 1: small files at the paths the big bundle will replace
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < BIG_FILES; i++) paths.add("big/part-" + i + ".bin");
    Map<String, Digest> small = new LinkedHashMap<>();
    BundleForge g1 = new BundleForge().channel("lab").sequence(1).signedBy(key);
    for (String p : paths) {
      byte[] b = ("gen-1:" + p + "\n").getBytes(StandardCharsets.US_ASCII);
      g1.file(p, b);
      small.put(p, Digest.of(b));
    }
    Forged first = g1.write(tmp.resolve("gen1.bundle"));
    Path template = tmp.resolve("template");
    Cli.runStable(List.of(), "import", first.path().toString(), "--mirror", template.toString(), "--trust", trust.toString(), "--no-scan").expect(0);

    // generation 2: 6 x 50 MiB
    Map<String, Digest> big = new LinkedHashMap<>();
    BundleForge g2 = new BundleForge().channel("lab").sequence(2).signedBy(key);
    Path src = Files.createDirectories(tmp.resolve("src"));
    for (int i = 0; i < BIG_FILES; i++) {
      Path f = src.resolve("part-" + i + ".bin");
      writeNoise(f, BIG_MIB << 20, i);
      g2.file(paths.get(i), f);
      big.put(paths.get(i), MirrorState.sha256(f));
    }
    Forged second = g2.write(tmp.resolve("gen2.bundle"));

    // Each kill waits for a phase of the import to be visible on disk, then sends SIGKILL at once:
    // JVM start, staging started, blobs being staged, blobs moving into the store, all blobs in the
    // store (sync), new generation directory in place, current switched (audit record pending).
    long storeBefore = countFiles(template.resolve("store"));
    Map<String, java.util.function.Predicate<Path>> phases = new LinkedHashMap<>();
    phases.put("50 ms after start", m -> false);
    phases.put("staging created", m -> !MirrorState.list(m.resolve("staging")).isEmpty());
    phases.put("first blob staged", m -> stagedBlobs(m) >= 1);
    phases.put("half the blobs staged", m -> stagedBlobs(m) >= BIG_FILES / 2);
    phases.put("blobs moving into the store", m -> countFilesQuietly(m.resolve("store")) > storeBefore);
    phases.put("all blobs in the store", m -> countFilesQuietly(m.resolve("store")) >= storeBefore + BIG_FILES);
    phases.put("generation 2 directory in place", m -> Files.exists(m.resolve("generations/0000000002")));
    phases.put("current switched", m -> "generations/0000000002".equals(MirrorState.current(m)));
    StringBuilder report = new StringBuilder();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, java.util.function.Predicate<Path>> phase : phases.entrySet()) {
      Path mirror = copyOf(template, tmp.resolve("mirror-" + report.length()));
      long t0 = System.nanoTime();
      Process p = Cli.startStable(List.of(), "import", second.path().toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan");
      Thread drain = drain(p);
      boolean reached = false;
      while (p.isAlive()) {
        long elapsed = (System.nanoTime() - t0) / 1_000_000;
        if (elapsed >= 50 && phase.getKey().startsWith("50 ms")) break;
        if (phase.getValue().test(mirror)) {
          reached = true;
          break;
        }
        Thread.sleep(1);
      }
      boolean finished = !p.isAlive();
      p.destroyForcibly();
      long delay = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      drain.join(5000);

      String current = MirrorState.current(mirror);
      report.append(String.format("kill at '%s' (%s) after %d ms: current -> %s, staging %s, store blobs %d, generations %s, audit records %d%n",
          phase.getKey(), finished ? "too late: import had finished, exit " + p.exitValue() : reached || phase.getKey().startsWith("50 ms") ? "hit" : "missed",
          delay, current,
          MirrorState.list(mirror.resolve("staging")), countFiles(mirror.resolve("store")), MirrorState.list(mirror.resolve("generations")),
          MirrorState.audit(mirror).size()));
      System.out.print(report.substring(report.lastIndexOf("kill at")));
      boolean switched = "generations/0000000002".equals(current);
      assertTrue(switched || "generations/0000000001".equals(current), "current -> " + current);
      MirrorState.auditVerifies(mirror);
      Cli.Run again;
      try (Cli.Server server = Cli.Server.startStable(mirror)) {
        assertServes(server, switched ? big : small, "after kill at " + delay + " ms (current -> " + current + ")");

        again = importBig(second, mirror, trust).expect(0);
        assertTrue(again.out().contains(switched ? "already imported" : "published generation 2"), again.out());
        assertEquals("generations/0000000002", MirrorState.current(mirror));
        assertServes(server, big, "after re-import (kill at " + delay + " ms)");
      }
      MirrorState.auditVerifies(mirror);
      // Collected rather than asserted at once, so every phase still runs when one exposes a defect.
      boolean published = MirrorState.audit(mirror).stream().anyMatch(r -> "accepted".equals(r.path("outcome").asText())
          && r.path("generation").asLong() == 2 && second.bundleId().equals(r.path("bundleId").asText()));
      if (!published) {
        problems.add("kill at '" + phase.getKey() + "': generation 2 is published but the audit log has no 'accepted' record for it: "
            + MirrorState.audit(mirror).stream().map(r -> r.path("outcome").asText() + "/" + r.path("generation").asText()).toList());
      }
      List<String> staging = MirrorState.list(mirror.resolve("staging"));
      if (!staging.isEmpty()) {
        problems.add("kill at '" + phase.getKey() + "': staging left behind after the re-import (" + again.out().strip() + "): " + listTree(mirror.resolve("staging")));
      }
      deleteTree(mirror);
    }
    assertEquals(List.of(), problems);
  }

  private static List<String> listTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      return walk.map(p -> dir.relativize(p).toString() + (Files.isDirectory(p) ? "/" : "")).toList();
    }
  }

  private Cli.Run importBig(Forged bundle, Path mirror, Path trust) {
    return Cli.runStable(List.of(), "import", bundle.path().toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan");
  }

  /** Every path is served, complete, with exactly the digest of the expected generation. */
  private void assertServes(Cli.Server server, Map<String, Digest> expected, String when) {
    for (Map.Entry<String, Digest> e : expected.entrySet()) {
      assertEquals(e.getValue(), MirrorState.fetchDigest(http, server.url("/files/lab/" + e.getKey())), e.getKey() + " " + when);
    }
  }

  private static void writeNoise(Path file, int size, int seed) throws IOException {
    byte[] block = new byte[1 << 20];
    Random random = new Random(seed);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int written = 0; written < size; written += block.length) {
        random.nextBytes(block);
        out.write(block, 0, Math.min(block.length, size - written));
      }
    }
  }

  private static Path copyOf(Path from, Path to) throws IOException, InterruptedException {
    Process cp = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).redirectErrorStream(true).start();
    String out = new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (cp.waitFor() != 0) fail("cp -a failed: " + out);
    return to;
  }

  private static Thread drain(Process p) {
    Thread t = new Thread(() -> {
      try {
        p.getInputStream().transferTo(OutputStream.nullOutputStream());
      } catch (IOException ignored) {
        // process killed
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Blobs written to staging so far (MIRROR/staging/<work>/blobs/*). */
  private static long stagedBlobs(Path mirror) {
    long n = 0;
    for (String work : MirrorState.list(mirror.resolve("staging"))) n += MirrorState.list(mirror.resolve("staging").resolve(work).resolve("blobs")).size();
    return n;
  }

  private static long countFilesQuietly(Path dir) {
    try {
      return countFiles(dir);
    } catch (IOException | java.io.UncheckedIOException e) {
      return -1; // changing under us; ask again
    }
  }

  private static long countFiles(Path dir) throws IOException {
    if (!Files.exists(dir)) return 0;
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).count();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
