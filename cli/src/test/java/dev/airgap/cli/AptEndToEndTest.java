package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian packages end to end: an upstream repository built and signed by aptly, served on
 * loopback; export (signature, dependency closure, downloads checked); import (signed repository
 * published); the real apt-get updates (signature verified) and downloads the closure from
 * {@code airgap serve}. Plus the refusals: tampered or wrongly signed upstream metadata, a tampered
 * package, expired or weak-hash-only Release, unsatisfiable dependencies, a missing repo key, and
 * an apt-get that does not trust the mirror's key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AptEndToEndTest {
  Path tmp;
  Path fixture;
  Path keys;
  Path trust;

  @BeforeAll
  void setUp(@TempDir Path dir) throws Exception {
    tmp = dir;
    fixture = AptFixture.build(tmp.resolve("fixture"));
    keys = tmp.resolve("keys");
    Cli.run("keys", "generate", "--out", keys.toString(), "--name", "ops").expect(0);
    Cli.run("keys", "generate", "--openpgp", "--out", keys.toString(), "--name", "repo").expect(0);
    trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(keys.resolve("ops.pub"), trust.resolve("ops.pub"));
  }

  private Path spec(String name, String url, String keyring, String packages, String extra) throws IOException {
    Path spec = tmp.resolve("specs/" + name + ".yaml");
    Files.createDirectories(spec.getParent());
    Files.writeString(spec, "channel: debs\nartifacts:\n  - type: apt\n    url: " + url + "\n    suite: stable\n    components: [main]\n"
        + "    architectures: [amd64]\n    keyring: " + keyring + "\n    packages: " + packages + "\n" + extra);
    return spec;
  }

  private Cli.Run export(Path spec, Path out, int sequence) {
    return Cli.run("export", "--key", keys.resolve("ops.key").toString(), "--spec", spec.toString(), "--out", out.toString(), "--sequence", Integer.toString(sequence));
  }

  @Test
  void exportImportAndRealAptGetInstallsTheClosure() throws Exception {
    Path mirror = tmp.resolve("mirror");
    Path bundle = tmp.resolve("bundles/apt-1.bundle");
    try (AptFixture.FileServer upstream = new AptFixture.FileServer(fixture.resolve("repo"))) {
      Path spec = spec("good", upstream.url(), fixture.resolve("upstream.gpg").toString(), "[hello]",
          "    debs: [" + Files.list(fixture.resolve("local")).findFirst().orElseThrow() + "]\n");
      export(spec, bundle, 1).expect(0);
    }
    JsonNode manifest = Json.strict().readTree(Cli.run("inspect", bundle.toString(), "--json").expect(0).out()).get("manifest");
    Map<String, String> versions = new TreeMap<>();
    for (JsonNode a : manifest.get("artifacts")) {
      assertEquals("apt", a.get("type").asText());
      versions.put(a.get("name").asText(), a.get("version").asText());
      assertEquals("stable", a.get("properties").get("suite").asText());
      assertTrue(a.get("files").get(0).get("path").asText().startsWith("pool/main/"), a.toString());
    }
    // The closure: versioned constraint with "~", the epoch, an alternative, a virtual package, Pre-Depends; plus the local .deb.
    assertEquals(Map.of("base-tool", "0.5", "greet-data", "1:0.1-1", "hello", "1.0-1", "libgreet", "2.0~beta1-1", "plainlog", "1.0",
        "tinymta", "3.0", "unrelated", "1.0"), versions);
    JsonNode greetData = Stream.of(manifest.get("artifacts")).flatMap(n -> java.util.stream.StreamSupport.stream(n.spliterator(), false))
        .filter(a -> a.get("name").asText().equals("greet-data")).findFirst().orElseThrow();
    assertEquals("pkg:deb/debian/greet-data@1%3A0.1-1?arch=all", greetData.get("purl").asText());

    // Without the repository key the import is refused and the mirror stays empty.
    Cli.Run noKey = Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(2);
    assertTrue(noKey.errorLine().contains("--repo-key"), noKey.err());
    assertEquals(null, MirrorState.current(mirror));

    Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan",
        "--repo-key", keys.resolve("repo.secret.asc").toString()).expect(0);
    JsonNode sbom = Json.strict().readTree(Files.list(mirror.resolve("current/bundles")).findFirst().orElseThrow().resolve("sbom.cdx.json").toFile());
    assertTrue(sbom.toString().contains("pkg:deb/debian/libgreet@2.0~beta1-1?arch=amd64"), "SBOM carries deb purls");

    try (Cli.Server server = Cli.Server.start(mirror)) {
      HttpClient http = HttpClient.newHttpClient();
      Path mirrorKey = tmp.resolve("mirror-key.gpg");
      Files.write(mirrorKey, MirrorState.fetch(http, server.url("/apt/key.gpg")));
      assertTrue(new String(MirrorState.fetch(http, server.url("/apt/key.asc")), StandardCharsets.US_ASCII).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
      assertEquals(404, MirrorState.get(http, server.url("/apt/index.json")).statusCode());
      assertEquals(404, MirrorState.get(http, server.url("/apt/dists/stable/../../index.json")).statusCode());

      AptFixture.AptGet apt = AptFixture.AptGet.create(tmp.resolve("apt-client"),
          "deb [signed-by=" + mirrorKey + "] " + server.url("/apt") + " stable main");
      Cli.Run update = apt.run("update");
      assertEquals(0, update.exitCode(), update.out());
      assertTrue(!update.out().contains("W:") && !update.out().contains("E:"), update.out());
      Cli.Run install = apt.run("install", "-y", "--download-only", "--no-install-recommends", "hello");
      assertEquals(0, install.exitCode(), install.out());
      List<String> debs;
      try (Stream<Path> s = Files.list(apt.archives())) {
        debs = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".deb")).sorted().toList();
      }
      assertEquals(List.of("base-tool_0.5_amd64.deb", "greet-data_1%3a0.1-1_all.deb", "hello_1.0-1_amd64.deb", "libgreet_2.0~beta1-1_amd64.deb",
          "plainlog_1.0_all.deb", "tinymta_3.0_amd64.deb"), debs);
      assertEquals(MirrorState.sha256(fixture.resolve("repo/pool/main/h/hello/hello_1.0-1_amd64.deb")), MirrorState.sha256(apt.archives().resolve("hello_1.0-1_amd64.deb")));
      Cli.Run download = apt.run("download", "unrelated");
      assertEquals(0, download.exitCode(), download.out());
      assertTrue(Files.exists(apt.dir().resolve("download/unrelated_1.0_amd64.deb")));

      // A client that does not trust the mirror's key refuses the repository.
      AptFixture.AptGet untrusting = AptFixture.AptGet.create(tmp.resolve("apt-untrusting"),
          "deb [signed-by=" + fixture.resolve("other.gpg") + "] " + server.url("/apt") + " stable main");
      Cli.Run refused = untrusting.run("update");
      assertTrue(refused.exitCode() != 0, refused.out());
      assertTrue(refused.out().contains("NO_PUBKEY") || refused.out().contains("is not signed"), refused.out());
    }

    // Retention: a later bundle without apt packages (no --repo-key needed) keeps the repository as it was, signatures included.
    byte[] inReleaseBefore = Files.readAllBytes(mirror.resolve("current/apt/dists/stable/InRelease"));
    Path notes = Files.writeString(tmp.resolve("notes.txt"), "release notes\n");
    Path second = tmp.resolve("bundles/apt-2.bundle");
    Cli.run("export", "--key", keys.resolve("ops.key").toString(), "--files", notes.toString(), "--out", second.toString(), "--channel", "debs", "--sequence", "2").expect(0);
    Cli.run("import", second.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(0);
    try (Cli.Server server = Cli.Server.start(mirror)) {
      HttpClient http = HttpClient.newHttpClient();
      org.junit.jupiter.api.Assertions.assertArrayEquals(inReleaseBefore, MirrorState.fetch(http, server.url("/apt/dists/stable/InRelease")));
      assertEquals(MirrorState.sha256(fixture.resolve("repo/pool/main/h/hello/hello_1.0-1_amd64.deb")),
          MirrorState.fetchDigest(http, server.url("/apt/pool/main/h/hello/hello_1.0-1_amd64.deb")));
    }
  }

  @Test
  void tamperedReleaseIsRefused() throws Exception {
    Path repo = copyRepo("tampered-release");
    Path inRelease = repo.resolve("dists/stable/InRelease");
    Files.writeString(inRelease, Files.readString(inRelease).replaceFirst("Components: main", "Components: main evil"));
    Cli.Run r = export(spec("tampered-release", repo.toUri().toString(), fixture.resolve("upstream.gpg").toString(), "[hello]", ""), tmp.resolve("out/t1.bundle"), 1).expect(4);
    assertTrue(r.errorLine().contains("BAD signature") && r.errorLine().contains("InRelease"), r.err());
    assertTrue(!Files.exists(tmp.resolve("out/t1.bundle")));
  }

  @Test
  void wrongSignerIsRefused() throws Exception {
    Cli.Run r = export(spec("wrong-signer", fixture.resolve("repo").toUri().toString(), fixture.resolve("other.gpg").toString(), "[hello]", ""), tmp.resolve("out/t2.bundle"), 1).expect(4);
    assertTrue(r.errorLine().contains("no valid signature by a key in") && r.errorLine().contains("other.gpg"), r.err());
  }

  @Test
  void tamperedPackageIsRefused() throws Exception {
    Path repo = copyRepo("tampered-deb");
    Path deb = repo.resolve("pool/main/libg/libgreet/libgreet_2.0~beta1-1_amd64.deb");
    byte[] bytes = Files.readAllBytes(deb);
    bytes[bytes.length - 1] ^= 1;
    Files.write(deb, bytes);
    Cli.Run r = export(spec("tampered-deb", repo.toUri().toString(), fixture.resolve("upstream.gpg").toString(), "[hello]", ""), tmp.resolve("out/t3.bundle"), 1).expect(3);
    assertTrue(r.errorLine().contains("libgreet_2.0~beta1-1_amd64.deb") && r.errorLine().contains("digest mismatch"), r.err());
  }

  @Test
  void alteredIndexIsRefusedAsAlteredAndAMissingVariantFallsBackToTheNext() throws Exception {
    Path repo = copyRepo("tampered-index");
    Path index = repo.resolve("dists/stable/main/binary-amd64/Packages.gz");
    byte[] bytes = Files.readAllBytes(index);
    bytes[bytes.length / 2] ^= 0x55; // whatever the decoder makes of it, the signed digest decides
    Files.write(index, bytes);
    Cli.Run r = export(spec("tampered-index", repo.toUri().toString(), fixture.resolve("upstream.gpg").toString(), "[hello]", ""), tmp.resolve("out/t8.bundle"), 1).expect(3);
    assertTrue(r.errorLine().contains("binary-amd64/Packages.gz") && r.errorLine().contains("digest mismatch"), r.err());

    Files.delete(index); // listed in the Release but not served: the next variant is read
    export(spec("missing-gz", repo.toUri().toString(), fixture.resolve("upstream.gpg").toString(), "[hello]", ""), tmp.resolve("out/t9.bundle"), 1).expect(0);
  }

  @Test
  void expiredAndWeakHashReleasesAreRefused() throws Exception {
    Path expired = copyRepo("expired");
    resign(expired, release -> release.replaceFirst("(Date: [^\n]*\n)", "$1Valid-Until: Mon, 01 Jan 2024 00:00:00 UTC\n"));
    Cli.Run r1 = export(spec("expired", expired.toUri().toString(), fixture.resolve("upstream.gpg").toString(), "[hello]", ""), tmp.resolve("out/t4.bundle"), 1).expect(4);
    assertTrue(r1.errorLine().contains("expired") && r1.errorLine().contains("Valid-Until"), r1.err());

    Path weak = copyRepo("weak");
    resign(weak, release -> release.replaceFirst("(?s)SHA256:\n.*", ""));
    Cli.Run r2 = export(spec("weak", weak.toUri().toString(), fixture.resolve("upstream.gpg").toString(), "[hello]", ""), tmp.resolve("out/t5.bundle"), 1).expect(4);
    assertTrue(r2.errorLine().contains("weak-hash-only"), r2.err());
  }

  @Test
  void unsatisfiableDependenciesNameTheMissingPackageAndWhoNeedsIt() throws Exception {
    String url = fixture.resolve("repo").toUri().toString();
    Cli.Run r = export(spec("broken", url, fixture.resolve("upstream.gpg").toString(), "[broken]", ""), tmp.resolve("out/t6.bundle"), 1).expect(2);
    assertTrue(r.errorLine().contains("broken 1.0 (amd64) depends on 'ghost-lib (>= 1)'"), r.err());
    Cli.Run missing = export(spec("missing", url, fixture.resolve("upstream.gpg").toString(), "[\"hello (>= 2.0)\"]", ""), tmp.resolve("out/t7.bundle"), 1).expect(2);
    assertTrue(missing.errorLine().contains("requested package 'hello (>= 2.0)' is not available"), missing.err());
  }

  private Path copyRepo(String name) throws IOException, InterruptedException {
    Path to = tmp.resolve("repos/" + name);
    Files.createDirectories(to.getParent());
    Process p = new ProcessBuilder("cp", "-rL", fixture.resolve("repo").toString(), to.toString()).inheritIO().start();
    assertEquals(0, p.waitFor());
    return to;
  }

  /** Rewrites a copy's Release and signs it as InRelease with the upstream key (a validly signed but unacceptable Release). */
  private void resign(Path repo, java.util.function.UnaryOperator<String> edit) throws IOException, InterruptedException {
    Path dists = repo.resolve("dists/stable");
    Files.writeString(dists.resolve("Release"), edit.apply(Files.readString(dists.resolve("Release"))));
    Files.delete(dists.resolve("InRelease"));
    ProcessBuilder pb = new ProcessBuilder("gpg", "--batch", "--yes", "--clearsign", "--digest-algo", "SHA256", "-o", dists.resolve("InRelease").toString(), dists.resolve("Release").toString())
        .redirectErrorStream(true);
    pb.environment().put("GNUPGHOME", fixture.resolve("gnupg").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }
}
