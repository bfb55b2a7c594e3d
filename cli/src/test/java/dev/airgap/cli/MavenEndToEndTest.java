package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Json;
import dev.airgap.signing.SigningKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maven end to end: a multi-module project (testdata/maven/fixture) is exported from a file://
 * upstream (the local Maven repository of the build running this test, read-only), imported, and
 * then the real {@code mvn} builds it through {@code airgap serve} with an empty local repository
 * and strict checksums. Plus the upstream and bundle checks around it.
 */
class MavenEndToEndTest {
  @TempDir Path tmp;
  private Path trust;

  @BeforeEach
  void keys() throws IOException {
    Cli.run("keys", "generate", "--out", tmp.resolve("keys").toString(), "--name", "ops").expect(0);
    trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(tmp.resolve("keys/ops.pub"), trust.resolve("ops.pub"));
  }

  @Test
  void realMvnBuildsTheExportedProjectAgainstTheMirror() throws Exception {
    Path upstream = buildsLocalRepository();
    Path fixture = Cli.repoRoot().resolve("testdata/maven/fixture");
    // surefire loads its JUnit Platform provider at run time, outside the POM: listed in the spec
    Path spec = Files.writeString(tmp.resolve("spec.yaml"), """
        channel: java
        artifacts:
          - type: maven
            repositories:
              - id: upstream
                url: %s
            project: %s
            phases: [package]
            artifacts:
              - org.apache.maven.surefire:surefire-junit-platform:3.5.2
              - org.junit.platform:junit-platform-launcher:1.11.4
        """.formatted(upstream.toUri(), fixture.resolve("pom.xml")));
    Path bundle = tmp.resolve("java.bundle");
    Cli.run("export", "--key", tmp.resolve("keys/ops.key").toString(), "--out", bundle.toString(), "--spec", spec.toString(), "--sequence", "1").expect(0);

    JsonNode artifacts = Json.strict().readTree(Cli.run("inspect", bundle.toString(), "--json").expect(0).out()).get("manifest").get("artifacts");
    Set<String> coordinates = new TreeSet<>();
    for (JsonNode a : artifacts) {
      assertEquals("maven", a.get("type").asText());
      coordinates.add(a.get("name").asText() + ":" + a.get("version").asText());
    }
    assertTrue(coordinates.contains("info.picocli:picocli:4.7.6"), "a dependency: " + coordinates);
    assertTrue(coordinates.contains("com.fasterxml.jackson:jackson-bom:2.18.2"), "the imported BOM");
    assertTrue(coordinates.contains("com.fasterxml.jackson:jackson-parent:2.18.1"), "a dependency's parent POM");
    assertTrue(coordinates.contains("org.junit.jupiter:junit-jupiter-engine:5.11.4"), "a transitive test dependency");
    assertTrue(coordinates.contains("org.apache.maven.plugins:maven-compiler-plugin:3.13.0"), "a lifecycle plugin at the pinned version");
    assertTrue(coordinates.contains("org.apache.maven.plugins:maven-jar-plugin:3.4.2"), "the packaging plugin");
    assertFalse(coordinates.contains("org.apache.maven.plugins:maven-install-plugin:3.1.3"), "install is past the phases asked for");
    assertTrue(coordinates.stream().noneMatch(c -> c.startsWith("dev.airgap.fixture:")), "the project's own modules are built, not exported: " + coordinates);
    JsonNode picocli = find(artifacts, "info.picocli:picocli");
    assertEquals("pkg:maven/info.picocli/picocli@4.7.6", picocli.get("purl").asText());
    assertEquals("jar", picocli.get("properties").get("packaging").asText());
    assertEquals("pkg:maven/com.fasterxml.jackson/jackson-bom@2.18.2?type=pom", find(artifacts, "com.fasterxml.jackson:jackson-bom").get("purl").asText());
    String human = Cli.run("inspect", bundle.toString()).expect(0).out();
    assertTrue(human.contains("maven info.picocli:picocli 4.7.6  pkg:maven/info.picocli/picocli@4.7.6"), human);

    Path mirror = tmp.resolve("mirror");
    Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(0);

    Path build = copyTree(fixture, tmp.resolve("build"));
    Path localRepo = tmp.resolve("enclave-m2");
    HttpClient http = HttpClient.newHttpClient();
    try (Cli.Server server = Cli.Server.start(mirror)) {
      Path picocliJar = MavenRepoFixture.dir(upstream, "info.picocli", "picocli", "4.7.6").resolve("picocli-4.7.6.jar");
      byte[] jarBytes = Files.readAllBytes(picocliJar);
      String base = server.url("/maven2/info/picocli/picocli/");
      assertArrayEquals(jarBytes, get(http, base + "4.7.6/picocli-4.7.6.jar").body());
      assertEquals(MavenRepoFixture.hex("SHA-1", jarBytes), get(http, base + "4.7.6/picocli-4.7.6.jar.sha1").body_());
      assertEquals(MavenRepoFixture.hex("SHA-256", jarBytes), get(http, base + "4.7.6/picocli-4.7.6.jar.sha256").body_());
      assertEquals(MavenRepoFixture.hex("SHA-512", jarBytes), get(http, base + "4.7.6/picocli-4.7.6.jar.sha512").body_());
      assertEquals(MavenRepoFixture.hex("MD5", jarBytes), get(http, base + "4.7.6/picocli-4.7.6.jar.md5").body_());
      Got metadata = get(http, base + "maven-metadata.xml");
      assertEquals(200, metadata.status());
      assertTrue(metadata.body_().contains("<version>4.7.6</version>") && metadata.body_().contains("<release>4.7.6</release>"), metadata.body_());
      assertEquals(MavenRepoFixture.hex("SHA-1", metadata.body()), get(http, base + "maven-metadata.xml.sha1").body_());
      assertEquals(404, get(http, base + "4.7.5/picocli-4.7.5.jar").status());
      assertEquals(404, get(http, base + "4.7.6/").status());

      Path settings = Files.writeString(tmp.resolve("settings.xml"), """
          <settings>
            <mirrors>
              <mirror><id>central</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
            </mirrors>
          </settings>
          """.formatted(server.url("/maven2/")));
      Path globalSettings = Files.writeString(tmp.resolve("global-settings.xml"), "<settings/>\n");
      // -C: a checksum the mirror serves that does not match fails the build
      Process mvn = new ProcessBuilder("mvn", "-B", "-ntp", "-C", "-s", settings.toString(), "-gs", globalSettings.toString(),
          "-Dmaven.repo.local=" + localRepo, "package")
          .directory(build.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("mvn.log").toFile()).start();
      assertTrue(mvn.waitFor(4, TimeUnit.MINUTES), "mvn did not finish");
      String log = Files.readString(tmp.resolve("mvn.log"));
      assertEquals(0, mvn.exitValue(), log);
      assertTrue(log.contains("Tests run: 1, Failures: 0, Errors: 0"), log);
      assertTrue(log.contains("BUILD SUCCESS"), log);
    }
    assertTrue(Files.isRegularFile(build.resolve("app/target/app-1.0.0.jar")));
    assertTrue(Files.isRegularFile(localRepo.resolve("info/picocli/picocli/4.7.6/picocli-4.7.6.jar")), "fetched from the mirror");
  }

  @Test
  void upstreamChecksumMismatchAbortsTheExport() throws Exception {
    Path repo = tmp.resolve("upstream");
    MavenRepoFixture.publish(repo, "com.example", "gear", "2.0", "gear\n".getBytes(StandardCharsets.UTF_8), List.of());
    MavenRepoFixture.publish(repo, "com.example", "widget", "1.0", "widget\n".getBytes(StandardCharsets.UTF_8), List.of("com.example:gear:2.0"));
    // the dependency's jar was swapped after its checksum was published
    Files.writeString(MavenRepoFixture.dir(repo, "com.example", "gear", "2.0").resolve("gear-2.0.jar"), "tampered\n");
    Path spec = MavenRepoFixture.spec(tmp.resolve("spec.yaml"), repo, List.of("com.example:widget:1.0"));
    Path out = tmp.resolve("out.bundle");
    Cli.Run r = Cli.run("export", "--key", tmp.resolve("keys/ops.key").toString(), "--out", out.toString(), "--spec", spec.toString()).expect(3);
    String line = r.errorLine();
    assertTrue(line.contains("checksum") && line.contains("com.example:gear:jar:2.0"), line);
    assertFalse(Files.exists(out), "no bundle");
    try (Stream<Path> left = Files.list(tmp)) {
      assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".airgap-export-")), "work directory removed");
    }

    // a checksum file that is missing is accepted (many upstreams have none); a present one is verified
    Files.delete(MavenRepoFixture.dir(repo, "com.example", "gear", "2.0").resolve("gear-2.0.jar.sha1"));
    Files.delete(MavenRepoFixture.dir(repo, "com.example", "gear", "2.0").resolve("gear-2.0.jar.sha256"));
    Cli.run("export", "--key", tmp.resolve("keys/ops.key").toString(), "--out", out.toString(), "--spec", spec.toString()).expect(0);

    Cli.Run missing = Cli.run("export", "--key", tmp.resolve("keys/ops.key").toString(), "--out", out.toString(),
        "--spec", MavenRepoFixture.spec(tmp.resolve("missing.yaml"), repo, List.of("com.example:nothing:1.0")).toString()).expect(2);
    assertTrue(missing.errorLine().contains("com.example:nothing"), missing.err());
  }

  @Test
  void versionsOfAllGenerationsAreListedAndForeignPathsAreRefused() throws Exception {
    SigningKey ops = SigningKey.load(tmp.resolve("keys/ops.key"));
    Path mirror = tmp.resolve("mirror");
    importOk(forgedWidget(ops, "one", 1, "1.0").write(tmp.resolve("a.bundle")).path(), mirror);
    importOk(forgedWidget(ops, "two", 1, "1.10").write(tmp.resolve("b.bundle")).path(), mirror);
    importOk(forgedWidget(ops, "one", 2, "1.9").write(tmp.resolve("c.bundle")).path(), mirror);

    List<BundleForge> hostile = List.of(
        // a file outside the artifact's own coordinates
        new BundleForge().channel("one").sequence(3).signedBy(ops)
            .artifact("maven", "com.example:widget", "2.0", "pkg:maven/com.example/widget@2.0", Map.of())
            .file("maven2/org/victim/lib/1.0/lib-1.0.jar", "shadow\n"),
        // a checksum file, which the mirror generates itself
        new BundleForge().channel("one").sequence(3).signedBy(ops)
            .artifact("maven", "com.example:widget", "2.0", "pkg:maven/com.example/widget@2.0", Map.of())
            .file("maven2/com/example/widget/2.0/widget-2.0.jar.sha1", "0000000000000000000000000000000000000000"));
    for (BundleForge f : hostile) {
      MirrorState.Snapshot before = MirrorState.snapshot(mirror);
      Cli.Run r = Cli.runQuick("import", f.write(tmp.resolve("hostile.bundle")).path().toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(3);
      assertTrue(r.errorLine().contains("maven2 layout"), r.err());
      assertEquals(before, MirrorState.snapshot(mirror));
    }

    HttpClient http = HttpClient.newHttpClient();
    try (Cli.Server server = Cli.Server.start(mirror)) {
      String xml = get(http, server.url("/maven2/com/example/widget/maven-metadata.xml")).body_();
      // Maven's version order, not text order; every generation's versions, from both channels
      assertTrue(xml.contains("<versions>\n      <version>1.0</version>\n      <version>1.9</version>\n      <version>1.10</version>\n    </versions>"), xml);
      assertTrue(xml.contains("<latest>1.10</latest>") && xml.contains("<release>1.10</release>"), xml);
      assertTrue(xml.matches("(?s).*<lastUpdated>\\d{14}</lastUpdated>.*"), xml);
      assertEquals(xml, get(http, server.url("/maven2/com/example/widget/maven-metadata.xml")).body_(), "stable per generation");
      for (String v : List.of("1.0", "1.9", "1.10")) {
        assertEquals("widget " + v + "\n", get(http, server.url("/maven2/com/example/widget/" + v + "/widget-" + v + ".jar")).body_());
      }
      assertEquals(404, get(http, server.url("/maven2/org/victim/lib/1.0/lib-1.0.jar")).status());
      assertEquals(404, get(http, server.url("/maven2/com/example/maven-metadata.xml")).status());
      assertEquals(404, get(http, server.url("/maven2/com/example/widget/1.0/widget-1.0.jar.sha3")).status());

      // the mirror is itself a valid upstream over http: its .sha256 and .sha1 files verify
      Path spec = Files.writeString(tmp.resolve("from-mirror.yaml"), """
          artifacts:
            - type: maven
              repositories: [{id: enclave, url: "%s"}]
              artifacts: ["com.example:widget:1.10"]
          """.formatted(server.url("/maven2/")));
      Path again = tmp.resolve("again.bundle");
      Cli.run("export", "--key", tmp.resolve("keys/ops.key").toString(), "--out", again.toString(), "--spec", spec.toString()).expect(0);
      JsonNode files = Json.strict().readTree(Cli.run("inspect", again.toString(), "--json").expect(0).out()).get("manifest").get("artifacts").get(0).get("files");
      assertEquals(2, files.size(), files.toString());
      assertEquals("maven2/com/example/widget/1.10/widget-1.10.jar", files.get(0).get("path").asText());
      assertEquals("sha256:" + MavenRepoFixture.hex("SHA-256", "widget 1.10\n".getBytes(StandardCharsets.UTF_8)), files.get(0).get("sha256").asText());
    }
  }

  private BundleForge forgedWidget(SigningKey key, String channel, long sequence, String version) {
    return new BundleForge().channel(channel).sequence(sequence).signedBy(key)
        .artifact("maven", "com.example:widget", version, "pkg:maven/com.example/widget@" + version, Map.of("packaging", "jar"))
        .file("maven2/com/example/widget/" + version + "/widget-" + version + ".jar", "widget " + version + "\n")
        .file("maven2/com/example/widget/" + version + "/widget-" + version + ".pom",
            "<project><modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>widget</artifactId><version>" + version + "</version></project>\n");
  }

  private void importOk(Path bundle, Path mirror) {
    Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(0);
  }

  /** The local Maven repository this build resolved airgap's dependencies into (picocli's jar is in it). */
  private static Path buildsLocalRepository() throws Exception {
    Path jar = Path.of(picocli.CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path repo = jar.getParent().getParent().getParent().getParent().getParent();
    assertTrue(Files.isRegularFile(MavenRepoFixture.dir(repo, "info.picocli", "picocli", "4.7.6").resolve("picocli-4.7.6.jar")), repo.toString());
    return repo;
  }

  private static JsonNode find(JsonNode artifacts, String name) {
    for (JsonNode a : artifacts) if (a.get("name").asText().equals(name)) return a;
    throw new AssertionError(name + " not in the bundle");
  }

  private static Path copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target);
      }
    }
    return to;
  }

  record Got(int status, byte[] body) {
    String body_() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private static Got get(HttpClient http, String url) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Got(r.statusCode(), r.body());
  }

}
