package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * apt export against full-size upstream indexes (issue 13) under the launcher's heap (-Xmx256m):
 * a generated suite of ~63,000 stanzas (the size of Debian's main for one architecture), one of
 * ~250,000 over three components and two architectures plus binary-all, and the machine's own apt
 * lists when present. Each run records its heap after GC (-Xlog:gc) and prints it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AptLargeIndexTest {
  /** The heap occupancy after any collection must stay well below the 256 MiB cap. */
  private static final long LIVE_SET_LIMIT_MIB = 128;

  Path tmp;
  Path keys;

  @BeforeAll
  void setUp(@TempDir Path dir) {
    tmp = dir;
    keys = tmp.resolve("keys");
    Cli.run("keys", "generate", "--out", keys.toString(), "--name", "ops").expect(0);
  }

  @Test
  void exportsTheClosureFromA63kStanzaSuiteInTheDefaultHeap() throws Exception {
    Path upstream = generate("63k", "--stanzas", "63000");
    JsonNode manifest = exportAndMeasure("63k", upstream, "[main]", "[amd64]", "[closure-root]");
    assertEquals(closure(upstream), names(manifest));
  }

  @Test
  void exportsTheClosureFromA250kStanzaSuiteOverSeveralComponentsAndArchitectures() throws Exception {
    Path upstream = generate("250k", "--stanzas", "250000", "--components", "main,contrib,non-free-firmware", "--architectures", "amd64,arm64",
        "--binary-all");
    JsonNode manifest = exportAndMeasure("250k", upstream, "[main, contrib, non-free-firmware]", "[amd64, arm64]", "[closure-root]");
    assertEquals(closure(upstream), names(manifest));
    Map<String, Integer> perArch = new TreeMap<>();
    for (JsonNode a : manifest.get("artifacts")) perArch.merge(a.get("properties").get("architecture").asText(), 1, Integer::sum);
    assertTrue(perArch.get("amd64") > 0 && perArch.get("arm64") > 0 && perArch.get("all") > 0, perArch.toString());
  }

  /**
   * The machine's own apt lists (after {@code apt-get update}): their stanzas, re-signed with a
   * test key and served on loopback, pool files answered with placeholders whose hashes the
   * rewritten index carries.
   */
  @Test
  void exportsCurlJqAndTreeFromTheMachinesRealAptLists() throws Exception {
    Path lists = Path.of("/var/lib/apt/lists");
    List<Path> indexes = new ArrayList<>();
    if (Files.isDirectory(lists)) {
      try (Stream<Path> s = Files.list(lists)) {
        s.filter(p -> p.getFileName().toString().matches(".*_main_binary-amd64_Packages(\\.(lz4|gz|xz|zst))?")).max(Comparator.comparingLong(AptLargeIndexTest::size))
            .ifPresent(indexes::add);
      }
    }
    Assumptions.assumeTrue(!indexes.isEmpty(), "no main amd64 Packages list in " + lists + " (run apt-get update): real-lists test skipped");
    Path upstream = tmp.resolve("real");
    python(upstream, "--from", indexes.get(0).toString());
    JsonNode manifest = exportAndMeasure("real", upstream, "[main]", "[amd64]", "[curl, jq, tree]");
    TreeSet<String> names = names(manifest);
    assertTrue(names.containsAll(List.of("curl", "jq", "tree", "libcurl4", "libjq1", "libc6")), names.toString());
    assertTrue(names.size() > 20, names.toString());
  }

  private Path generate(String name, String... args) throws IOException, InterruptedException {
    Path out = tmp.resolve(name);
    python(out, args);
    return out;
  }

  private static void python(Path out, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("python3", Cli.repoRoot().resolve("testdata/apt/make-large-upstream.py").toString(), out.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), output);
    System.out.println(output.strip());
  }

  private JsonNode exportAndMeasure(String name, Path upstream, String components, String architectures, String packages) throws Exception {
    Path spec = tmp.resolve(name + ".yaml");
    Path gcLog = tmp.resolve(name + "-gc.log");
    Path bundle = tmp.resolve(name + ".bundle");
    try (AptFixture.FileServer server = AptFixture.FileServer.withPlaceholders(upstream.resolve("repo"))) {
      Files.writeString(spec, "channel: debs\nartifacts:\n  - type: apt\n    url: " + server.url() + "\n    suite: stable\n    components: " + components
          + "\n    architectures: " + architectures + "\n    keyring: " + upstream.resolve("upstream.gpg") + "\n    packages: " + packages + "\n");
      long started = System.nanoTime();
      Cli.runStable(List.of("-Xlog:gc:file=" + gcLog), "export", "--key", keys.resolve("ops.key").toString(), "--spec", spec.toString(), "--out",
          bundle.toString(), "--sequence", "1").expect(0);
      long peak = peakHeapAfterGcMib(gcLog);
      System.out.printf("%s: export %.1f s, peak heap after GC %d MiB (-Xmx256m)%n", name, (System.nanoTime() - started) / 1e9, peak);
      assertTrue(peak < LIVE_SET_LIMIT_MIB, name + ": heap after GC reached " + peak + " MiB, the live set must stay well below the 256 MiB cap");
    }
    return Json.strict().readTree(Cli.run("inspect", bundle.toString(), "--json").expect(0).out()).get("manifest");
  }

  /** The largest heap occupancy right after a collection ("...M->NM(...)" in -Xlog:gc), an upper bound on the live set. */
  static long peakHeapAfterGcMib(Path gcLog) throws IOException {
    Matcher m = Pattern.compile("\\d+M->(\\d+)M\\(").matcher(Files.readString(gcLog));
    long peak = 0;
    while (m.find()) peak = Math.max(peak, Long.parseLong(m.group(1)));
    return peak;
  }

  private static TreeSet<String> closure(Path upstream) throws IOException {
    return new TreeSet<>(Files.readAllLines(upstream.resolve("closure.txt")).stream().filter(l -> !l.isBlank()).toList());
  }

  private static TreeSet<String> names(JsonNode manifest) {
    TreeSet<String> names = new TreeSet<>();
    for (JsonNode a : manifest.get("artifacts")) names.add(a.get("name").asText());
    return names;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }
}
