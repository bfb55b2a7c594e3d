package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Json;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * git end to end with the real git client: a repository built by testdata/git/make-repo.sh is
 * exported (full, then incremental with --state), imported, and cloned and fetched from a real
 * {@code airgap serve} over smart HTTP with protocol v2 and v0; push is refused; hostile bundles
 * (a {@code .GIT/config} tree entry, an incremental bundle whose base the mirror lacks) are
 * rejected with the mirror unchanged.
 */
class GitEndToEndTest {
  @TempDir Path tmp;
  private Path trust;
  private Path key;

  @BeforeEach
  void keys() throws IOException {
    BundleForge.newKey(Files.createDirectories(tmp.resolve("keys")), "ops");
    trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(tmp.resolve("keys/ops.pub"), trust.resolve("ops.pub"));
    key = tmp.resolve("keys/ops.key");
  }

  @Test
  void cloneFetchIncrementalAndPushRefused() throws Exception {
    Path upstream = tmp.resolve("upstream");
    script(upstream);
    Path spec = spec("code", "file://" + upstream, "demo", "all");
    Path mirror = tmp.resolve("mirror");
    Path state = tmp.resolve("state");

    Path first = export(spec, 1, state);
    JsonNode a1 = artifact(first);
    assertEquals("git", a1.get("type").asText());
    assertEquals(rev(upstream, "main"), a1.get("version").asText());
    assertTrue(a1.get("purl").asText().startsWith("pkg:generic/demo@" + rev(upstream, "main") + "?vcs_url=git%2Bfile"), a1.get("purl").asText());
    JsonNode p1 = a1.get("properties");
    assertEquals("full", p1.get("bundle").asText());
    assertEquals("file://" + upstream, p1.get("vcs").asText());
    assertEquals("none → " + rev(upstream, "main") + " (3 new commits)", p1.get("ref:refs/heads/main").asText());
    assertEquals("none → " + rev(upstream, "v1^{commit}") + " (3 new commits)", p1.get("ref:refs/tags/v1").asText());
    assertEquals("none → " + rev(upstream, "feature") + " (2 new commits)", p1.get("ref:refs/heads/feature").asText());
    String text = Cli.runQuick("inspect", first.toString()).expect(0).out();
    assertTrue(text.contains("ref:refs/heads/main: none → " + rev(upstream, "main") + " (3 new commits)"), text);
    long fullSize = a1.get("files").get(0).get("size").asLong();

    importBundle(first, mirror).expect(0);
    JsonNode sbom = Json.strict().readTree(mirror.resolve("current/bundles").resolve(bundleId(first)).resolve("sbom.cdx.json").toFile());
    JsonNode component = sbom.get("components").get(0);
    assertEquals("vcs", component.get("externalReferences").get(0).get("type").asText());
    assertEquals("file://" + upstream, component.get("externalReferences").get(0).get("url").asText());
    assertTrue(component.toString().contains(rev(upstream, "main")), "the SBOM carries the commit ids");

    try (Cli.Server server = Cli.Server.start(mirror)) {
      String url = server.url("/git/demo.git");
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> v0 = http.send(HttpRequest.newBuilder(URI.create(url + "/info/refs?service=git-upload-pack")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, v0.statusCode());
      assertEquals("application/x-git-upload-pack-advertisement", v0.headers().firstValue("Content-Type").orElseThrow());
      assertTrue(v0.body().startsWith("001e# service=git-upload-pack\n0000"), v0.body());
      assertTrue(v0.body().contains(rev(upstream, "main") + " refs/heads/main"), v0.body());
      HttpResponse<String> v2 = http.send(HttpRequest.newBuilder(URI.create(url + "/info/refs?service=git-upload-pack")).header("Git-Protocol", "version=2").build(),
          HttpResponse.BodyHandlers.ofString());
      assertTrue(v2.body().matches("(?s)000[de]version 2\n?.*"), v2.body());
      assertTrue(v2.body().contains("ls-refs") && v2.body().contains("fetch"), v2.body());

      // A gzip-encoded v2 ls-refs request, as git sends large requests; and what is never served.
      java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(gz)) {
        z.write("0014command=ls-refs\n0000".getBytes(StandardCharsets.US_ASCII));
      }
      HttpResponse<String> lsRefs = http.send(HttpRequest.newBuilder(URI.create(url + "/git-upload-pack")).header("Git-Protocol", "version=2")
          .header("Content-Type", "application/x-git-upload-pack-request").header("Content-Encoding", "gzip")
          .POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, lsRefs.statusCode(), lsRefs.body());
      assertEquals("application/x-git-upload-pack-result", lsRefs.headers().firstValue("Content-Type").orElseThrow());
      assertTrue(lsRefs.body().contains(rev(upstream, "main") + " refs/heads/main"), lsRefs.body());
      for (String path : List.of("/config", "/packed-refs", "/objects/pack", "/objects/info/packs", "/refs/heads/main", "/info/refs/x")) {
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(url + path)).build(), HttpResponse.BodyHandlers.discarding()).statusCode(), path);
      }
      assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(server.url("/git/index.json"))).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
      assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(server.url("/git/demo/info/refs"))).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
      assertEquals(403, http.send(HttpRequest.newBuilder(URI.create(url + "/info/refs?service=git-frobnicate")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
      assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(url + "/git-upload-pack")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
      assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(url + "/info/refs")).PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode());

      Path cloneV2 = tmp.resolve("clone-v2");
      Git r2 = git(tmp, Map.of("GIT_TRACE_PACKET", "1"), "-c", "protocol.version=2", "clone", url, cloneV2.toString()).expect(0);
      assertTrue(r2.err().contains("git< version 2"), "spoke protocol v2");
      Path cloneV0 = tmp.resolve("clone-v0");
      Git r0 = git(tmp, Map.of("GIT_TRACE_PACKET", "1"), "-c", "protocol.version=0", "clone", url, cloneV0.toString()).expect(0);
      assertTrue(!r0.err().contains("version 2") && r0.err().contains("# service=git-upload-pack"), "spoke protocol v0");
      for (Path clone : List.of(cloneV2, cloneV0)) {
        assertEquals(rev(upstream, "main"), rev(clone, "HEAD"));
        assertEquals("main", git(clone, Map.of(), "rev-parse", "--abbrev-ref", "HEAD").expect(0).out().strip());
        assertEquals(rev(upstream, "v1"), rev(clone, "refs/tags/v1"), "annotated tag object itself");
        assertEquals(rev(upstream, "feature"), rev(clone, "origin/feature"));
        for (String f : List.of("README.md", "data.bin", "src/pkg/main.py")) {
          assertEquals(-1, Files.mismatch(upstream.resolve(f), clone.resolve(f)), f);
        }
        git(clone, Map.of(), "fsck", "--strict").expect(0);
      }

      // The exporter fetches from any JGit remote: here over smart HTTP from this very mirror.
      Path relay = export(spec("relay", url, "relay", "[refs/heads/main]"), 1, null);
      assertEquals("none → " + rev(upstream, "main") + " (3 new commits)", artifact(relay).get("properties").get("ref:refs/heads/main").asText());
      assertEquals(url, artifact(relay).get("properties").get("url").asText());

      // Incremental: two more commits and a tag upstream.
      script(upstream, "--more");
      Path second = export(spec, 2, state);
      JsonNode a2 = artifact(second);
      JsonNode p2 = a2.get("properties");
      assertTrue(p2.get("bundle").asText().startsWith("incremental"), p2.toString());
      assertEquals(rev(upstream, "main~2") + " → " + rev(upstream, "main") + " (2 new commits)", p2.get("ref:refs/heads/main").asText());
      assertEquals("none → " + rev(upstream, "main") + " (2 new commits)", p2.get("ref:refs/tags/v2").asText());
      assertEquals(rev(upstream, "feature") + " (unchanged)", p2.get("ref:refs/heads/feature").asText());
      long incrementalSize = a2.get("files").get(0).get("size").asLong();
      assertTrue(incrementalSize * 20 < fullSize, "incremental bundle " + incrementalSize + " B vs full " + fullSize + " B");
      Path gitBundle = mirrorBlobAfterImport(second, mirror);
      // Only new objects: git itself says the bundle needs the old tip, and it lists 2 commits.
      Git verify = git(cloneV0, Map.of(), "bundle", "verify", gitBundle.toString()).expect(0);
      assertTrue(verify.out().concat(verify.err()).contains(rev(upstream, "main~2")), verify.err());
      Path empty = Files.createDirectories(tmp.resolve("empty"));
      git(empty, Map.of(), "init", "-q").expect(0);
      Git lacks = git(empty, Map.of(), "bundle", "verify", gitBundle.toString());
      assertNotEquals(0, lacks.exitCode());
      assertTrue(lacks.err().contains("prerequisite"), lacks.err());

      git(cloneV2, Map.of(), "fetch", "--tags", "origin").expect(0);
      assertEquals(rev(upstream, "main"), rev(cloneV2, "origin/main"));
      assertEquals(rev(upstream, "v2"), rev(cloneV2, "refs/tags/v2"));
      git(cloneV2, Map.of(), "merge", "-q", "--ff-only", "origin/main").expect(0);
      assertEquals(-1, Files.mismatch(upstream.resolve("four.txt"), cloneV2.resolve("four.txt")));
      git(cloneV0, Map.of(), "-c", "protocol.version=0", "pull", "-q", "--ff-only").expect(0);
      assertEquals(rev(upstream, "main"), rev(cloneV0, "HEAD"));

      // Push is refused, and the mirror does not change.
      MirrorState.Snapshot before = MirrorState.snapshot(mirror);
      Files.writeString(cloneV2.resolve("pushed.txt"), "nope\n");
      git(cloneV2, Map.of(), "add", "pushed.txt").expect(0);
      git(cloneV2, Map.of(), "commit", "-q", "-m", "attempt").expect(0);
      Git push = git(cloneV2, Map.of(), "push", "origin", "HEAD:main");
      assertNotEquals(0, push.exitCode());
      assertTrue(push.err().contains("403") && push.err().contains("read-only"), push.err());
      assertEquals(before, MirrorState.snapshot(mirror));
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(url + "/git-receive-pack"))
          .header("Content-Type", "application/x-git-receive-pack-request").POST(HttpRequest.BodyPublishers.ofString("0000")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(403, post.statusCode());
    }
  }

  /**
   * Shallow and partial clones and fetches from the mirror with real git, protocol v0 and v2:
   * {@code --deepen} (deepen-relative, which the route translates), {@code --shallow-since},
   * {@code --shallow-exclude}, {@code --unshallow}, and partial clones with {@code blob:none} and
   * {@code tree:0} that fetch missing objects on demand. The shallow boundaries must be the ones
   * git's own upload-pack gives for the same repository over file://.
   */
  @Test
  void shallowAndPartialClones() throws Exception {
    Path upstream = tmp.resolve("upstream.git");
    script(upstream, "--commits", "130");
    git(upstream, Map.of(), "tag", "old", "main~20").expect(0);
    Path mirror = tmp.resolve("mirror");
    importBundle(export(spec("code", "file://" + upstream, "hist", "all"), 1, null), mirror).expect(0);
    String since = git(upstream, Map.of(), "log", "-1", "--format=%ct", "main~9").expect(0).out().strip();
    try (Cli.Server server = Cli.Server.start(mirror)) {
      String url = server.url("/git/hist.git");
      String local = "file://" + upstream;
      for (String v : List.of("0", "2")) {
        String proto = "protocol.version=" + v;
        // --deepen: HTTP 500 ("expected 'acknowledgments'") under v2 and "does not support --deepen" under v0 before.
        for (String src : List.of(url, local)) {
          Path d = tmp.resolve("deepen-" + v + "-" + (src == url ? "mirror" : "file"));
          git(tmp, Map.of(), "-c", proto, "clone", "-q", "--depth", "1", src, d.toString()).expect(0);
          git(d, Map.of(), "-c", proto, "fetch", "-q", "--deepen", "5").expect(0);
        }
        assertShallowAlike(tmp.resolve("deepen-" + v + "-mirror"), tmp.resolve("deepen-" + v + "-file"), 6);
        git(tmp.resolve("deepen-" + v + "-mirror"), Map.of(), "-c", proto, "fetch", "-q", "--deepen", "3").expect(0);
        assertEquals("9", git(tmp.resolve("deepen-" + v + "-mirror"), Map.of(), "rev-list", "--count", "HEAD").expect(0).out().strip());

        for (String src : List.of(url, local)) {
          String where = src == url ? "mirror" : "file";
          git(tmp, Map.of(), "-c", proto, "clone", "-q", "--shallow-since=" + since, src, tmp.resolve("since-" + v + "-" + where).toString()).expect(0);
          git(tmp, Map.of(), "-c", proto, "clone", "-q", "--shallow-exclude=old", src, tmp.resolve("exclude-" + v + "-" + where).toString()).expect(0);
        }
        assertShallowAlike(tmp.resolve("since-" + v + "-mirror"), tmp.resolve("since-" + v + "-file"), 10);
        assertShallowAlike(tmp.resolve("exclude-" + v + "-mirror"), tmp.resolve("exclude-" + v + "-file"), 20);

        Path un = tmp.resolve("unshallow-" + v);
        git(tmp, Map.of(), "-c", proto, "clone", "-q", "--depth", "3", url, un.toString()).expect(0);
        git(un, Map.of(), "-c", proto, "fetch", "-q", "--unshallow").expect(0);
        assertEquals("130", git(un, Map.of(), "rev-list", "--count", "HEAD").expect(0).out().strip());
        assertTrue(!Files.exists(un.resolve(".git/shallow")), "no longer shallow");
        git(un, Map.of(), "fsck", "--strict").expect(0);

        for (String filter : List.of("blob:none", "tree:0")) {
          Path p = tmp.resolve("partial-" + v + "-" + filter.replace(':', '-'));
          git(tmp, Map.of(), "-c", proto, "clone", "-q", "--no-checkout", "--filter=" + filter, url, p.toString()).expect(0);
          String missing = git(p, Map.of(), "rev-list", "--objects", "--missing=print", "HEAD").expect(0).out();
          assertTrue(missing.lines().anyMatch(l -> l.startsWith("?")), filter + ": objects were left out");
          assertEquals("130", git(p, Map.of(), "rev-list", "--count", "HEAD").expect(0).out().strip());
          // Missing objects are fetched by id on demand (wants of reachable non-tip objects).
          git(p, Map.of(), "-c", proto, "checkout", "-q", "main").expect(0);
          assertEquals("counter 130\n", Files.readString(p.resolve("counter.txt")));
          assertTrue(git(p, Map.of(), "-c", proto, "log", "-p", "-3", "--format=%h").expect(0).out().contains("+counter 128"));
          git(p, Map.of(), "-c", proto, "fsck").expect(0);
        }
      }
      // An unreachable object is still refused with git's own error, not a 500.
      Path p = tmp.resolve("partial-2-blob-none");
      Git refused = git(p, Map.of(), "-c", "protocol.version=2", "fetch", "-q", "origin", "1111111111111111111111111111111111111111");
      assertNotEquals(0, refused.exitCode());
      assertTrue(refused.err().contains("remote error") && refused.err().contains("not valid"), refused.err());
    }
  }

  private void assertShallowAlike(Path fromMirror, Path fromFile, int commits) throws Exception {
    assertEquals(Integer.toString(commits), git(fromMirror, Map.of(), "rev-list", "--count", "HEAD").expect(0).out().strip(), fromMirror.toString());
    assertEquals(Files.readString(fromFile.resolve(".git/shallow")), Files.readString(fromMirror.resolve(".git/shallow")), "shallow boundary as git's upload-pack");
    git(fromMirror, Map.of(), "fsck", "--strict").expect(0);
  }

  /**
   * A branch rewritten upstream (reset and a new commit) and a moved tag are shown as such by
   * inspect (text, JSON, --since), not as "1 new commit"; a fast-forward is not flagged. The
   * rewritten history still imports and git fetches it as a forced update.
   */
  @Test
  void forcedUpdateAndMovedTagAreShown() throws Exception {
    Path upstream = tmp.resolve("upstream");
    script(upstream);
    Path spec = spec("code", upstream.toString(), "demo", "all");
    Path state = tmp.resolve("state");
    Path first = export(spec, 1, state);
    String oldMain = rev(upstream, "main");
    String oldTag = rev(upstream, "v1^{commit}");
    String oldFeature = rev(upstream, "feature");

    git(upstream, Map.of(), "reset", "-q", "--hard", "HEAD~1").expect(0);
    Files.writeString(upstream.resolve("rewritten.txt"), "rewritten\n");
    git(upstream, Map.of(), "add", "rewritten.txt").expect(0);
    git(upstream, Map.of(), "commit", "-q", "-m", "rewritten third").expect(0);
    git(upstream, Map.of(), "tag", "-f", "-a", "v1", "-m", "release 1, moved").expect(0);
    git(upstream, Map.of(), "branch", "-f", "feature", "main").expect(0); // a fast-forward of feature
    String newMain = rev(upstream, "main");
    Path second = export(spec, 2, state);

    JsonNode p = artifact(second).get("properties");
    assertEquals(oldMain + " → " + newMain + " (forced update, not a fast-forward; 1 new commit, 1 dropped commit)", p.get("ref:refs/heads/main").asText());
    assertEquals("non-fast-forward", p.get("update:refs/heads/main").asText());
    assertEquals(oldTag + " → " + newMain + " (tag moved, not a fast-forward; 1 new commit, 1 dropped commit)", p.get("ref:refs/tags/v1").asText());
    assertEquals("tag-moved,non-fast-forward", p.get("update:refs/tags/v1").asText());
    assertEquals(oldFeature + " → " + newMain + " (1 new commit)", p.get("ref:refs/heads/feature").asText());
    assertTrue(p.get("update:refs/heads/feature") == null, "a fast-forward is not flagged");
    assertEquals(0, inspect(first).get("refUpdates").size(), "nothing flagged on a first export");

    String text = Cli.runQuick("inspect", second.toString()).expect(0).out();
    assertTrue(text.contains("WARNING: git 'demo' refs/heads/main: forced update (not a fast-forward): " + oldMain + " → " + newMain), text);
    assertTrue(text.contains("WARNING: git 'demo' refs/tags/v1: tag moved, not a fast-forward: " + oldTag + " → " + newMain), text);
    assertTrue(!text.contains("refs/heads/feature: forced"), text);
    JsonNode json = inspect(second);
    assertEquals(2, json.get("refUpdates").size(), json.get("refUpdates").toString());
    assertEquals("refs/heads/main", json.get("refUpdates").get(0).get("ref").asText());
    assertTrue(json.get("refUpdates").get(0).get("forced").asBoolean());
    assertEquals("non-fast-forward", json.get("refUpdates").get(0).get("update").get(0).asText());
    assertTrue(json.get("warnings").toString().contains("refs/heads/main: forced update"), json.get("warnings").toString());

    String since = Cli.runQuick("inspect", second.toString(), "--since", first.toString()).expect(0).out();
    assertTrue(since.contains("      ! git 'demo' refs/heads/main: forced update (not a fast-forward)"), since);
    assertTrue(since.contains("      ! git 'demo' refs/tags/v1: tag moved, not a fast-forward"), since);
    JsonNode sinceJson = Json.strict().readTree(Cli.runQuick("inspect", second.toString(), "--since", first.toString(), "--json").expect(0).out());
    JsonNode changed = sinceJson.get("since").get("changed").get(0);
    assertEquals(2, changed.get("refUpdates").size(), changed.toString());
    assertEquals("refs/tags/v1", changed.get("refUpdates").get(1).get("ref").asText());

    // The rewritten history imports on top of the first bundle, and git sees the forced update.
    Path mirror = tmp.resolve("mirror");
    importBundle(first, mirror).expect(0);
    try (Cli.Server server = Cli.Server.start(mirror)) {
      Path clone = tmp.resolve("clone");
      git(tmp, Map.of(), "clone", "-q", server.url("/git/demo.git"), clone.toString()).expect(0);
      importBundle(second, mirror).expect(0);
      Git fetch = git(clone, Map.of(), "fetch", "--no-tags", "origin").expect(0);
      assertTrue(fetch.err().contains("(forced update)") && fetch.err().contains("main"), fetch.err());
      assertEquals(newMain, rev(clone, "origin/main"));
    }
  }

  @Test
  void incrementalBundleWithoutItsBaseIsRejected() throws Exception {
    Path upstream = tmp.resolve("upstream");
    script(upstream);
    Path spec = spec("code", upstream.toString(), "demo", "[refs/heads/main]");
    Path state = tmp.resolve("state");
    Path first = export(spec, 1, state);
    script(upstream, "--more");
    Path second = export(spec, 2, state);
    assertTrue(artifact(second).get("properties").get("bundle").asText().startsWith("incremental"));
    assertEquals(List.of("ref:refs/heads/main"), artifact(second).get("properties").properties().stream().map(Map.Entry::getKey).filter(k -> k.startsWith("ref:")).toList());

    // A mirror that never saw the first bundle.
    Path mirror = tmp.resolve("mirror");
    String line = Cli.runQuick("import", second.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(3).errorLine();
    assertTrue(line.contains("git repository 'demo'") && line.contains("needs base commit " + rev(upstream, "main~2")), line);
    // Nothing published and nothing stored (the import only created the mirror's empty directories).
    assertEquals(new MirrorState.Snapshot(null, Map.of("generations", "dir", "store", "dir")), MirrorState.snapshot(mirror));

    // With the first bundle imported, the same incremental bundle applies.
    importBundle(first, mirror).expect(0);
    importBundle(second, mirror).expect(0);
    try (Cli.Server server = Cli.Server.start(mirror)) {
      Path clone = tmp.resolve("clone");
      git(tmp, Map.of(), "clone", "-q", server.url("/git/demo.git"), clone.toString()).expect(0);
      assertEquals(rev(upstream, "main"), rev(clone, "HEAD"));
      Git missing = git(tmp, Map.of(), "clone", "-q", server.url("/git/missing.git"), tmp.resolve("clone-missing").toString());
      assertNotEquals(0, missing.exitCode());
      assertTrue(missing.err().contains("not found"), missing.err());
    }
  }

  @Test
  void craftedDotGitTreeEntryIsRejected() throws Exception {
    Path evil = tmp.resolve("evil");
    script(evil, "--dotgit");
    Path mirror = tmp.resolve("mirror");
    Path good = tmp.resolve("good");
    script(good);
    importBundle(export(spec("code", good.toString(), "good", "all"), 1, null), mirror).expect(0);
    MirrorState.Snapshot before = MirrorState.snapshot(mirror);

    // The exporter refuses to fetch it...
    Cli.Run refused = Cli.run("export", "--spec", spec("code", evil.toString(), "evil", "all").toString(), "--key", key.toString(),
        "--out", tmp.resolve("refused.bundle").toString(), "--sequence", "2");
    assertNotEquals(0, refused.exitCode());
    assertTrue(refused.errorLine().contains(".GIT"), refused.err());

    // ...and a signed bundle carrying it (made with git's own bundle command) is refused on import.
    Path gitBundle = tmp.resolve("evil.gitbundle");
    git(evil, Map.of(), "bundle", "create", gitBundle.toString(), "--all").expect(0);
    Path forged = tmp.resolve("evil.bundle");
    new BundleForge().channel("code").sequence(2)
        .artifact("git", "evil", rev(evil, "main"), "pkg:generic/evil@" + rev(evil, "main"), Map.of("head", "refs/heads/main"))
        .file("git/evil.bundle", BundleForge.Content.of(gitBundle), "application/x-git-bundle")
        .signedBy(dev.airgap.signing.SigningKey.load(key)).write(forged);
    String line = Cli.runQuick("import", forged.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(3).errorLine();
    assertTrue(line.contains("git repository 'evil'") && line.contains("object rejected") && line.contains(".GIT"), line);
    assertEquals(before, MirrorState.snapshot(mirror));
    assertEquals(List.of(), MirrorState.list(mirror.resolve("staging")));
    MirrorState.auditVerifies(mirror);
  }

  // --- helpers ---

  private Path spec(String channel, String url, String name, String refs) throws IOException {
    Path spec = tmp.resolve("spec-" + name + "-" + Math.abs(url.hashCode()) + ".yaml");
    Files.writeString(spec, "channel: " + channel + "\nartifacts:\n  - type: git\n    url: \"" + url + "\"\n    name: " + name + "\n    refs: " + refs + "\n");
    return spec;
  }

  private Path export(Path spec, int sequence, Path state) {
    Path out = tmp.resolve("bundles/" + spec.getFileName() + "-" + sequence + ".bundle");
    List<String> args = new ArrayList<>(List.of("export", "--spec", spec.toString(), "--key", key.toString(), "--out", out.toString(), "--sequence", Integer.toString(sequence)));
    if (state != null) args.addAll(List.of("--state", state.toString()));
    Cli.run(args.toArray(String[]::new)).expect(0);
    return out;
  }

  private Cli.Run importBundle(Path bundle, Path mirror) {
    return Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan");
  }

  private final Map<Path, JsonNode> inspected = new java.util.HashMap<>();

  private JsonNode inspect(Path bundle) throws IOException {
    JsonNode known = inspected.get(bundle);
    if (known == null) inspected.put(bundle, known = Json.strict().readTree(Cli.runQuick("inspect", bundle.toString(), "--json").expect(0).out()));
    return known;
  }

  private JsonNode artifact(Path bundle) throws IOException {
    JsonNode artifacts = inspect(bundle).get("manifest").get("artifacts");
    assertEquals(1, artifacts.size());
    return artifacts.get(0);
  }

  private String bundleId(Path bundle) throws IOException {
    return inspect(bundle).get("manifest").get("bundleId").asText();
  }

  /** Imports {@code bundle} and returns where the mirror's store keeps its git bundle. */
  private Path mirrorBlobAfterImport(Path bundle, Path mirror) throws IOException {
    importBundle(bundle, mirror).expect(0);
    String hex = artifact(bundle).get("files").get(0).get("sha256").asText().substring("sha256:".length());
    return mirror.resolve("store/sha256").resolve(hex.substring(0, 2)).resolve(hex);
  }

  private static void script(Path dir, String... mode) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", Cli.repoRoot().resolve("testdata/git/make-repo.sh").toString()));
    cmd.addAll(List.of(mode));
    cmd.add(dir.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  private String rev(Path repo, String what) throws Exception {
    return git(repo, Map.of(), "rev-parse", what).expect(0).out().strip();
  }

  record Git(int exitCode, String out, String err, List<String> args) {
    Git expect(int code) {
      assertEquals(code, exitCode, () -> "git " + String.join(" ", args) + " exited " + exitCode + "\nstdout: " + out + "\nstderr: " + err);
      return this;
    }
  }

  /** The real git client, isolated from the machine's configuration. */
  private Git git(Path dir, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    Path home = Files.createDirectories(tmp.resolve("home"));
    pb.environment().put("HOME", home.toString());
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment().put("GIT_TERMINAL_PROMPT", "0");
    pb.environment().put("GIT_AUTHOR_NAME", "Tester");
    pb.environment().put("GIT_AUTHOR_EMAIL", "tester@example.invalid");
    pb.environment().put("GIT_COMMITTER_NAME", "Tester");
    pb.environment().put("GIT_COMMITTER_EMAIL", "tester@example.invalid");
    pb.environment().putAll(env);
    Path out = Files.createTempFile(tmp, "git-out", ".txt");
    Path err = Files.createTempFile(tmp, "git-err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("git " + String.join(" ", args) + " did not finish");
    }
    return new Git(p.exitValue(), Files.readString(out), Files.readString(err), List.of(args));
  }
}
