package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.mirror.hf.GitOids;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hugging Face slice end to end through the real CLI: a tiny model and dataset repository
 * (testdata/hf/make-repo.sh) published on an upstream {@code airgap serve}; exported from it by
 * revision with include patterns (and from a local HF cache directory); imported; then the real
 * clients (Python {@code huggingface_hub}, JavaScript {@code @huggingface/hub}) download from the
 * enclave's {@code airgap serve} and get the original bytes, resuming a dropped download with Range.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HfEndToEndTest {
  static final String MODEL = "example-org/tiny-model";
  static final String DATASET = "example-org/tiny-data";
  static final List<String> INCLUDED = List.of("README.md", "config.json", "model.safetensors", "pytorch_model.bin", "special_tokens_map.json",
      "sub/notes.txt", "tokenizer.json", "tokenizer_config.json");

  @TempDir static Path tmp;
  static Path fixture;
  static String commit;
  static Path trust;
  static Cli.Server upstream;
  static Path enclaveBundle;
  static Path enclaveMirror;
  static Cli.Server enclave;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void publishUpstreamExportAndImport() throws Exception {
    // 12 MiB: past huggingface_hub's 10 MiB read chunk, so a cut at 11 MiB leaves bytes to resume from
    fixture = makeFixture(tmp.resolve("fixture"), 12);
    commit = Files.readString(fixture.resolve("commit")).strip();
    Cli.run("keys", "generate", "--out", tmp.resolve("keys").toString(), "--name", "ops").expect(0);
    trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(tmp.resolve("keys/ops.pub"), trust.resolve("ops.pub"));

    // The upstream: a plain snapshot directory (commit given) and a dataset, served by airgap itself.
    Path seed = write("seed.yaml", "channel: upstream\nartifacts:\n"
        + "  - {type: huggingface, path: " + fixture.resolve("repo") + ", repo: " + MODEL + ", commit: " + commit + "}\n"
        + "  - {type: huggingface, path: " + fixture.resolve("dataset") + ", repo: " + DATASET + ", kind: dataset}\n");
    export(seed, "seed.bundle").expect(0);
    Path seedBundle = tmp.resolve("seed.bundle");
    importInto(seedBundle, tmp.resolve("upstream")).expect(0);
    upstream = Cli.Server.start(tmp.resolve("upstream"));

    enclaveBundle = tmp.resolve("enclave.bundle");
    export(remoteSpec("enclave.yaml", upstream.url("/hf")), "enclave.bundle").expect(0);
    enclaveMirror = tmp.resolve("enclave");
    importInto(enclaveBundle, enclaveMirror).expect(0);
    enclave = Cli.Server.start(enclaveMirror);
  }

  @AfterAll
  void stopServers() throws Exception {
    if (enclave != null) enclave.close();
    if (upstream != null) upstream.close();
  }

  @Test
  void exportPinsTheRevisionKeepsIncludedFilesAndFlagsPickle() throws Exception {
    JsonNode manifest = Json.strict().readTree(Cli.run("inspect", enclaveBundle.toString(), "--json").expect(0).out()).get("manifest");
    JsonNode model = manifest.get("artifacts").get(0);
    assertEquals("huggingface", model.get("type").asText());
    assertEquals(MODEL, model.get("name").asText());
    assertEquals(commit, model.get("version").asText());
    assertEquals("pkg:huggingface/example-org/tiny-model@" + commit, model.get("purl").asText());
    JsonNode props = model.get("properties");
    assertEquals("main", props.get("revisions").asText());
    assertEquals("apache-2.0", props.get("license").asText());
    assertEquals("example-org/base-model", props.get("baseModel").asText());
    assertEquals("[\"model.safetensors\",\"pytorch_model.bin\"]", props.get("lfsFiles").asText());
    assertEquals("pytorch_model.bin", props.get("pickleFiles").asText());
    List<String> paths = new ArrayList<>();
    for (JsonNode f : model.get("files")) {
      String p = f.get("path").asText();
      String rel = p.substring((MODEL + "/" + commit + "/").length());
      paths.add(rel);
      assertEquals(sha256(fixture.resolve("repo").resolve(rel)).toString(), f.get("sha256").asText(), rel);
    }
    assertEquals(INCLUDED, paths, ".gitattributes is not included");
    JsonNode dataset = manifest.get("artifacts").get(1);
    assertEquals("huggingface-dataset", dataset.get("type").asText());
    assertTrue(dataset.get("purl").asText().endsWith("?repository_type=dataset"));

    String text = Cli.run("inspect", enclaveBundle.toString()).expect(0).out();
    assertTrue(text.contains("WARNING: huggingface '" + MODEL + "' contains pickle-based weights: " + MODEL + "/" + commit + "/pytorch_model.bin"), text);

    // The SBOM: a machine-learning-model component with the card's license.
    Path bundles = enclaveMirror.resolve("current/bundles");
    try (Stream<Path> s = Files.list(bundles)) {
      JsonNode sbom = Json.strict().readTree(s.findFirst().orElseThrow().resolve("sbom.cdx.json").toFile());
      JsonNode c = sbom.get("components").get(0);
      assertEquals("machine-learning-model", c.get("type").asText());
      assertEquals("apache-2.0", c.get("licenses").get(0).get("license").get("name").asText());
      assertEquals("data", sbom.get("components").get(1).get("type").asText());
    }
  }

  @Test
  void refusePickleRejectsTheBundleAndLeavesTheMirrorUnchanged() throws Exception {
    Path mirror = tmp.resolve("refuse-mirror");
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(docs.resolve("a.txt"), "a\n");
    Path first = tmp.resolve("docs.bundle");
    Cli.run("export", "--key", tmp.resolve("keys/ops.key").toString(), "--out", first.toString(), "--channel", "docs", "--files", docs.toString()).expect(0);
    importInto(first, mirror).expect(0);
    MirrorState.Snapshot before = MirrorState.snapshot(mirror);
    Cli.Run refused = Cli.run("import", enclaveBundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan", "--refuse-pickle").expect(5);
    String line = refused.errorLine();
    assertTrue(line.contains("pytorch_model.bin") && line.contains("pickle-based") && line.contains("--refuse-pickle"), line);
    assertEquals(before, MirrorState.snapshot(mirror));
  }

  @Test
  void pythonClientDownloadsEverythingAndResumesADroppedDownloadWithRange() throws Exception {
    Path python = pythonWithHuggingfaceHub();
    String safetensors = "/hf/" + MODEL + "/resolve/" + commit + "/model.safetensors";
    try (HfFaultProxy proxy = new HfFaultProxy(enclave.port, safetensors, 11L << 20)) {
      Path cache = tmp.resolve("py-cache");
      String endpoint = "http://127.0.0.1:" + proxy.port() + "/hf";
      String folder = runClient(List.of(python.toString(), script("py/download.py").toString(), "snapshot", MODEL, "model", cache.toString()), endpoint).strip();
      assertTrue(folder.endsWith("models--example-org--tiny-model/snapshots/" + commit), folder);
      assertSameFiles(Path.of(folder), fixture.resolve("repo"), INCLUDED);

      assertTrue(proxy.didCut(), "the first download of model.safetensors was cut");
      HfFaultProxy.Exchange resumed = proxy.exchanges.stream().filter(e -> e.path().equals(safetensors) && e.range() != null).findFirst()
          .orElseThrow(() -> new AssertionError("no Range request after the cut: " + proxy.exchanges));
      assertTrue(resumed.range().matches("bytes=[1-9][0-9]*-"), resumed.range());
      assertEquals(206, resumed.status());
      // the cache names blobs by ETag: SHA-256 for LFS files, the git blob id otherwise
      Path blobs = cache.resolve("models--example-org--tiny-model/blobs");
      assertTrue(Files.exists(blobs.resolve(sha256(fixture.resolve("repo/model.safetensors")).hex())));
      assertTrue(Files.exists(blobs.resolve(gitOid(fixture.resolve("repo/config.json")))));

      String data = runClient(List.of(python.toString(), script("py/download.py").toString(), "file", DATASET, "dataset", cache.toString(), "data/train.csv", "main"), endpoint).strip();
      assertArrayEquals(Files.readAllBytes(fixture.resolve("dataset/data/train.csv")), Files.readAllBytes(Path.of(data)));
    }
    // the `hf download` command line works the same way
    Path hf = python.resolveSibling("hf");
    if (Files.isExecutable(hf)) {
      Path local = tmp.resolve("hf-cli-out");
      runClient(List.of(hf.toString(), "download", DATASET, "--repo-type", "dataset", "--local-dir", local.toString()), enclave.url("/hf"));
      assertArrayEquals(Files.readAllBytes(fixture.resolve("dataset/data/train.csv")), Files.readAllBytes(local.resolve("data/train.csv")));
    }
  }

  @Test
  void pythonClientListsRefsAndCommitsAndReadsTheCardAsFromTheHub() throws Exception {
    Path python = pythonWithHuggingfaceHub();
    String endpoint = enclave.url("/hf");
    JsonNode model = Json.strict().readTree(runClient(List.of(python.toString(), script("py/hub_info.py").toString(), MODEL, "model", "main"), endpoint));
    assertEquals("[[\"main\",\"refs/heads/main\",\"" + commit + "\"]]", model.get("branches").toString());
    assertEquals("[]", model.get("tags").toString());
    assertEquals(0, model.get("converts").asInt());
    assertEquals(0, model.get("pull_requests").asInt());
    assertEquals(1, model.get("commits").size(), model.toString());
    JsonNode c = model.get("commits").get(0);
    assertEquals(commit, c.get("id").asText());
    assertEquals("airgap import", c.get("title").asText());
    assertEquals("airgap import", c.get("formatted_title").asText());
    assertEquals("[]", c.get("authors").toString());
    assertEquals(commit, model.get("sha").asText());
    JsonNode card = model.get("card_data");
    assertEquals("apache-2.0", card.get("license").asText());
    assertEquals("example-org/base-model", card.get("base_model").asText());
    assertEquals("transformers", card.get("library_name").asText());
    assertEquals("[\"en\",\"fr\"]", card.get("language").toString());
    assertEquals("[\"example-org/tiny-data\"]", card.get("datasets").toString());
    assertEquals("[\"test\"]", card.get("tags").toString());
    assertEquals("[\"transformers\",\"test\",\"text-classification\",\"en\",\"fr\",\"dataset:example-org/tiny-data\","
        + "\"base_model:example-org/base-model\",\"license:apache-2.0\"]", model.get("repo_tags").toString());
    assertEquals("text-classification", model.get("pipeline_tag").asText());
    assertEquals("transformers", model.get("library_name").asText());

    // the same by commit id, and for the dataset
    JsonNode byCommit = Json.strict().readTree(runClient(List.of(python.toString(), script("py/hub_info.py").toString(), MODEL, "model", commit), endpoint));
    assertEquals(commit, byCommit.get("commits").get(0).get("id").asText());
    JsonNode data = Json.strict().readTree(runClient(List.of(python.toString(), script("py/hub_info.py").toString(), DATASET, "dataset", "main"), endpoint));
    assertEquals("cc-by-4.0", data.get("card_data").get("license").asText());
    assertEquals("[\"task_categories:text-classification\",\"language:en\",\"size_categories:n<1K\",\"license:cc-by-4.0\"]", data.get("repo_tags").toString());
    assertEquals(1, data.get("branches").size());
  }

  @Test
  void aRevisionThatIsATagUpstreamIsServedAsATag() throws Exception {
    // Upstream: the model under the revision name v1.0, a branch there (a directory cannot tell); the relay's refs answer says it is a tag.
    Path seed = write("tag-seed.yaml", "channel: upstream\nartifacts:\n  - {type: huggingface, path: " + fixture.resolve("repo") + ", repo: " + MODEL
        + ", commit: " + commit + ", revision: v1.0, include: [\"config.json\", \"README.md\"]}\n");
    export(seed, "tag-seed.bundle").expect(0);
    importInto(tmp.resolve("tag-seed.bundle"), tmp.resolve("tag-upstream")).expect(0);
    try (Cli.Server up = Cli.Server.start(tmp.resolve("tag-upstream")); HfFaultProxy proxy = new HfFaultProxy(up.port, "/none", 0)) {
      proxy.answer("/hf/api/models/" + MODEL + "/refs", "{\"branches\":[{\"name\":\"main\",\"ref\":\"refs/heads/main\",\"targetCommit\":\"" + commit
          + "\"}],\"converts\":[],\"tags\":[{\"name\":\"v1.0\",\"ref\":\"refs/tags/v1.0\",\"targetCommit\":\"" + commit + "\"}]}");
      Path spec = write("tag.yaml", "channel: models\nartifacts:\n  - type: huggingface\n    endpoint: http://127.0.0.1:" + proxy.port() + "/hf\n"
          + "    repos:\n      - {id: " + MODEL + ", revision: v1.0}\n");
      export(spec, "tag.bundle").expect(0);
      assertTrue(proxy.exchanges.stream().anyMatch(e -> e.path().endsWith("/refs")), "the exporter asked for the refs");
    }
    JsonNode props = Json.strict().readTree(Cli.run("inspect", tmp.resolve("tag.bundle").toString(), "--json").expect(0).out())
        .get("manifest").get("artifacts").get(0).get("properties");
    assertEquals("v1.0", props.get("revisions").asText());
    assertEquals("v1.0", props.get("tagRevisions").asText());
    importInto(tmp.resolve("tag.bundle"), tmp.resolve("tag-enclave")).expect(0);
    try (Cli.Server s = Cli.Server.start(tmp.resolve("tag-enclave"))) {
      assertEquals("{\"branches\":[{\"name\":\"main\",\"ref\":\"refs/heads/main\",\"targetCommit\":\"" + commit + "\"}],\"converts\":[],"
          + "\"tags\":[{\"name\":\"v1.0\",\"ref\":\"refs/tags/v1.0\",\"targetCommit\":\"" + commit + "\"}]}", json(s.url("/hf/api/models/" + MODEL + "/refs")).toString());
      assertEquals(commit, json(s.url("/hf/api/models/" + MODEL + "/commits/v1.0")).get(0).get("id").asText());
      Path python = pythonWithHuggingfaceHub();
      JsonNode viaClient = Json.strict().readTree(runClient(List.of(python.toString(), script("py/hub_info.py").toString(), MODEL, "model", "v1.0"), s.url("/hf")));
      assertEquals("[[\"v1.0\",\"refs/tags/v1.0\",\"" + commit + "\"]]", viaClient.get("tags").toString());
      assertEquals("apache-2.0", viaClient.get("card_data").get("license").asText());
    }
  }

  @Test
  void refsCommitsAndCardDataOverHttp() throws Exception {
    String base = enclave.url("/hf/");
    JsonNode refs = json(base + "api/models/" + MODEL + "/refs");
    assertEquals("{\"branches\":[{\"name\":\"main\",\"ref\":\"refs/heads/main\",\"targetCommit\":\"" + commit + "\"}],\"converts\":[],\"tags\":[]}", refs.toString());
    assertTrue(json(base + "api/models/" + MODEL + "/refs?include_prs=1").get("pullRequests").isArray());
    JsonNode commits = json(base + "api/datasets/" + DATASET + "/commits/main");
    assertEquals(1, commits.size());
    assertTrue(commits.get(0).get("message").asText().startsWith("Imported with bundle "), commits.toString());
    assertFalse(commits.get(0).has("formatted"));
    assertHubError(base + "api/models/" + MODEL + "/commits/v9", "RevisionNotFound");
    assertHubError(base + "api/models/example-org/nope/refs", "RepoNotFound");
    assertHubError(base + "api/models/" + MODEL + "/refs/extra", "EntryNotFound");
    // cardData is the README's whole front matter, nested values included
    JsonNode info = json(base + "api/models/" + MODEL + "/revision/main");
    assertEquals("[{\"name\":\"tiny-model\",\"results\":[]}]", info.get("cardData").get("model-index").toString());
    assertEquals("text-classification", info.get("pipeline_tag").asText());
    assertEquals("transformers", info.get("library_name").asText());
  }

  @Test
  void javascriptClientSnapshotDownloadGetsTheOriginalBytes() throws Exception {
    Path js = Cli.repoRoot().resolve("testdata/hf/js");
    Assumptions.assumeTrue(onPath("node") && (Files.isDirectory(js.resolve("node_modules/@huggingface/hub")) || onPath("npm")), "node/npm not installed");
    if (!Files.isDirectory(js.resolve("node_modules/@huggingface/hub"))) {
      // .ci/run installs it; a developer machine gets it on first use
      Process p = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--no-package-lock").directory(js.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      Assumptions.assumeTrue(p.waitFor() == 0, "npm install failed: " + out);
    }
    Path cache = tmp.resolve("js-cache");
    String hub = enclave.url("/hf");
    String folder = lastLine(runClient(List.of("node", js.resolve("download.mjs").toString(), hub, "snapshot", MODEL, "model", cache.toString()), hub));
    assertTrue(folder.endsWith("models--example-org--tiny-model/snapshots/" + commit), folder);
    assertSameFiles(Path.of(folder), fixture.resolve("repo"), INCLUDED);
    String data = lastLine(runClient(List.of("node", js.resolve("download.mjs").toString(), hub, "snapshot", DATASET, "dataset", cache.toString()), hub));
    assertSameFiles(Path.of(data), fixture.resolve("dataset"), List.of("README.md", "data/train.csv"));
  }

  @Test
  void hubProtocolHeadersErrorsPagingAndPathsInfo() throws Exception {
    String base = enclave.url("/hf/");
    String config = base + MODEL + "/resolve/main/config.json";
    HttpResponse<byte[]> head = send(HttpRequest.newBuilder(URI.create(config)).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, head.statusCode());
    String oid = gitOid(fixture.resolve("repo/config.json"));
    assertEquals("\"" + oid + "\"", head.headers().firstValue("ETag").orElseThrow(), "git blob id for a regular file");
    assertEquals(commit, head.headers().firstValue("X-Repo-Commit").orElseThrow());
    assertFalse(head.headers().firstValue("X-Linked-Etag").isPresent());
    assertEquals(304, send(HttpRequest.newBuilder(URI.create(config)).header("If-None-Match", "\"" + oid + "\"")).statusCode());

    String weights = base + MODEL + "/resolve/" + commit + "/model.safetensors";
    Path original = fixture.resolve("repo/model.safetensors");
    HttpResponse<byte[]> probe = send(HttpRequest.newBuilder(URI.create(weights)).header("Range", "bytes=0-0"));
    assertEquals(206, probe.statusCode());
    assertEquals("bytes 0-0/" + Files.size(original), probe.headers().firstValue("Content-Range").orElseThrow());
    String sha = sha256(original).hex();
    assertEquals("\"" + sha + "\"", probe.headers().firstValue("ETag").orElseThrow());
    assertEquals("\"" + sha + "\"", probe.headers().firstValue("X-Linked-Etag").orElseThrow());
    assertEquals(Long.toString(Files.size(original)), probe.headers().firstValue("X-Linked-Size").orElseThrow());
    byte[] all = Files.readAllBytes(original);
    HttpResponse<byte[]> tail = send(HttpRequest.newBuilder(URI.create(weights)).header("Range", "bytes=" + (all.length - 1000) + "-"));
    assertEquals(206, tail.statusCode());
    assertArrayEquals(java.util.Arrays.copyOfRange(all, all.length - 1000, all.length), tail.body());
    assertEquals(416, send(HttpRequest.newBuilder(URI.create(weights)).header("Range", "bytes=" + all.length + "-")).statusCode());

    assertHubError(base + "example-org/nope/resolve/main/config.json", "RepoNotFound");
    assertHubError(base + MODEL + "/resolve/v9/config.json", "RevisionNotFound");
    assertHubError(base + MODEL + "/resolve/main/missing.json", "EntryNotFound");
    assertHubError(base + "api/models/example-org/nope/revision/main", "RepoNotFound");
    assertHubError(base + "api/models/" + MODEL + "/revision/" + "0".repeat(40), "RevisionNotFound");
    assertHubError(base + "api/datasets/" + MODEL, "RepoNotFound"); // a model is not a dataset

    JsonNode info = json(base + "api/models/" + MODEL + "/revision/HEAD");
    assertEquals(commit, info.get("sha").asText());
    assertEquals(INCLUDED.size(), info.get("siblings").size());
    assertEquals("apache-2.0", info.get("cardData").get("license").asText());
    assertEquals(commit, json(base + "api/models/" + MODEL).get("sha").asText());

    // tree: recursive listing, followed page by page through Link
    Set<String> all1 = new TreeSet<>();
    for (JsonNode e : json(base + "api/models/" + MODEL + "/tree/main?recursive=true")) all1.add(e.get("type").asText() + ":" + e.get("path").asText());
    assertTrue(all1.contains("directory:sub") && all1.contains("file:sub/notes.txt"), all1.toString());
    Set<String> paged = new TreeSet<>();
    String next = base + "api/models/" + MODEL + "/tree/main?recursive=true&limit=2";
    int pages = 0;
    while (next != null) {
      HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(next)));
      assertEquals(200, r.statusCode());
      for (JsonNode e : Json.strict().readTree(r.body())) paged.add(e.get("type").asText() + ":" + e.get("path").asText());
      Matcher m = Pattern.compile("<(http://[^>]+)>; rel=\"next\"").matcher(r.headers().firstValue("Link").orElse(""));
      next = m.find() ? m.group(1) : null;
      pages++;
    }
    assertEquals(all1, paged);
    assertEquals((all1.size() + 1) / 2, pages);
    JsonNode top = json(base + "api/models/" + MODEL + "/tree/main");
    assertEquals(INCLUDED.size() - 1 + 1, top.size(), "top level: 7 files and the sub directory");

    // paths-info: the one POST, JSON (JavaScript client) and form-encoded (Python client)
    String pathsInfo = base + "api/models/" + MODEL + "/paths-info/main";
    HttpResponse<byte[]> pj = send(HttpRequest.newBuilder(URI.create(pathsInfo)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"paths\":[\"model.safetensors\",\"nope\"],\"expand\":true}")));
    assertEquals(200, pj.statusCode());
    JsonNode arr = Json.strict().readTree(pj.body());
    assertEquals(1, arr.size());
    assertEquals(sha, arr.get(0).get("lfs").get("oid").asText());
    assertEquals(commit, arr.get(0).get("lastCommit").get("id").asText());
    HttpResponse<byte[]> pf = send(HttpRequest.newBuilder(URI.create(pathsInfo)).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("paths=config.json&paths=sub&expand=false")));
    JsonNode form = Json.strict().readTree(pf.body());
    assertEquals(2, form.size());
    assertEquals(oid, form.get(0).get("oid").asText());
    assertEquals("directory", form.get(1).get("type").asText());
    assertEquals(405, send(HttpRequest.newBuilder(URI.create(config)).POST(HttpRequest.BodyPublishers.ofString("x"))).statusCode());
    assertEquals(413, send(HttpRequest.newBuilder(URI.create(pathsInfo)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[(1 << 20) + 1]))).statusCode());

    // datasets under datasets/
    HttpResponse<byte[]> csv = send(HttpRequest.newBuilder(URI.create(base + "datasets/" + DATASET + "/resolve/main/data/train.csv")));
    assertEquals(200, csv.statusCode());
    assertArrayEquals(Files.readAllBytes(fixture.resolve("dataset/data/train.csv")), csv.body());
  }

  @Test
  void exportFromALocalCacheDirectoryKeepsTheCommitAndEtags() throws Exception {
    Path spec = write("cache.yaml", "channel: cache\nartifacts:\n  - type: huggingface\n    path: " + fixture.resolve("cache")
        + "\n    exclude: [\"*.bin\"]\n    repos:\n      - {id: " + MODEL + "}\n");
    export(spec, "cache.bundle").expect(0);
    JsonNode a = Json.strict().readTree(Cli.run("inspect", tmp.resolve("cache.bundle").toString(), "--json").expect(0).out()).get("manifest").get("artifacts").get(0);
    assertEquals(commit, a.get("version").asText());
    assertEquals("main", a.get("properties").get("revisions").asText());
    assertEquals("[\"model.safetensors\"]", a.get("properties").get("lfsFiles").asText());
    assertEquals("", a.get("properties").get("pickleFiles").asText());
    Path mirror = tmp.resolve("cache-mirror");
    Cli.run("import", tmp.resolve("cache.bundle").toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan", "--refuse-pickle").expect(0);
    try (Cli.Server s = Cli.Server.start(mirror)) {
      HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(s.url("/hf/" + MODEL + "/resolve/main/tokenizer.json"))));
      assertEquals(200, r.statusCode());
      // the ETag is the cache's own blob name: the same cache layout on both sides
      String etag = r.headers().firstValue("ETag").orElseThrow().replace("\"", "");
      Path link = fixture.resolve("cache/models--example-org--tiny-model/snapshots/" + commit + "/tokenizer.json");
      assertEquals(Files.readSymbolicLink(link).getFileName().toString(), etag);
      assertArrayEquals(Files.readAllBytes(link), r.body());
      assertEquals(404, send(HttpRequest.newBuilder(URI.create(s.url("/hf/" + MODEL + "/resolve/main/pytorch_model.bin")))).statusCode());
    }
  }

  @Test
  void aHashMismatchAtTheUpstreamAbortsTheExport() throws Exception {
    // A copy of the upstream mirror whose stored config.json has one byte changed (same size).
    Path bad = tmp.resolve("bad-upstream");
    copyTree(tmp.resolve("upstream"), bad);
    Digest digest = sha256(fixture.resolve("repo/config.json"));
    Path blob = bad.resolve("store/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[2] ^= 1;
    blob.toFile().setWritable(true);
    Files.write(blob, bytes);
    try (Cli.Server s = Cli.Server.start(bad)) {
      Path out = tmp.resolve("mismatch/out.bundle");
      Cli.Run run = export(remoteSpec("mismatch.yaml", s.url("/hf")), "mismatch/out.bundle").expect(3);
      String line = run.errorLine();
      assertTrue(line.contains("config.json") && line.contains("digest mismatch") && line.contains(gitOid(fixture.resolve("repo/config.json"))), line);
      assertFalse(Files.exists(out));
      try (Stream<Path> left = Files.list(out.getParent())) {
        assertEquals(List.of(), left.toList(), "no bundle, temp file or work directory is left");
      }
    }
  }

  @Test
  void anUpstreamThatStallsMidBodyFailsTheExportAfterTheReadTimeout() throws Exception {
    String weights = "/hf/" + MODEL + "/resolve/" + commit + "/model.safetensors";
    try (HfFaultProxy proxy = new HfFaultProxy(upstream.port, weights, 1 << 20, HfFaultProxy.Fault.STALL_BODY)) {
      String endpoint = "http://127.0.0.1:" + proxy.port() + "/hf";
      long start = System.nanoTime();
      Cli.Run run = export(timedSpec("stall-body.yaml", endpoint), "stall-body/out.bundle").expect(6);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      String line = run.errorLine();
      assertTrue(line.contains(endpoint + "/" + MODEL + "/resolve/" + commit + "/model.safetensors: download failed after 5 attempts: no data for 1 s (read timeout)"), line);
      assertTrue(proxy.didCut(), "the body stalled after 1 MiB");
      assertTrue(seconds < 40, seconds + " s");
      assertNoOutput(tmp.resolve("stall-body"));
    }
  }

  @Test
  void anUpstreamThatNeverAnswersFailsTheExportAfterTheReadTimeout() throws Exception {
    String revision = "/hf/api/models/" + MODEL + "/revision/main";
    try (HfFaultProxy proxy = new HfFaultProxy(upstream.port, revision, 0, HfFaultProxy.Fault.STALL_HEAD)) {
      String endpoint = "http://127.0.0.1:" + proxy.port() + "/hf";
      long start = System.nanoTime();
      Cli.Run run = export(timedSpec("stall-head.yaml", endpoint), "stall-head/out.bundle").expect(6);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertTrue(run.errorLine().contains(endpoint + "/api/models/" + MODEL + "/revision/main: no data for 1 s (read timeout)"), run.errorLine());
      assertTrue(seconds < 30, seconds + " s");
      assertNoOutput(tmp.resolve("stall-head"));
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static Path timedSpec(String name, String endpoint) throws IOException {
    return write(name, "channel: models\nartifacts:\n  - type: huggingface\n    endpoint: " + endpoint + "\n    readTimeoutSeconds: 1\n    requestTimeoutSeconds: 10\n"
        + "    repos:\n      - {id: " + MODEL + ", include: [\"*.json\", \"*.safetensors\"]}\n");
  }

  private static void assertNoOutput(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of(), left.toList(), "no bundle, temp file or work directory is left");
    }
  }

  static Path makeFixture(Path dir, int mib) throws Exception {
    Process p = new ProcessBuilder("bash", Cli.repoRoot().resolve("testdata/hf/make-repo.sh").toString(), dir.toString(), Integer.toString(mib)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return dir;
  }

  private static Path remoteSpec(String name, String endpoint) throws IOException {
    return write(name, "channel: models\nartifacts:\n  - type: huggingface\n    endpoint: " + endpoint + "\n    token: test-token\n    repos:\n"
        + "      - id: " + MODEL + "\n        revision: main\n        include: [\"*.json\", \"*.safetensors\", \"*.bin\", \"README.md\", \"sub/\"]\n"
        + "      - {id: " + DATASET + ", kind: dataset}\n");
  }

  private static Path write(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private static Cli.Run export(Path spec, String out) {
    return Cli.run("export", "--key", tmp.resolve("keys/ops.key").toString(), "--out", tmp.resolve(out).toString(), "--spec", spec.toString());
  }

  private static Cli.Run importInto(Path bundle, Path mirror) {
    return Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan");
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private JsonNode json(String url) throws Exception {
    HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(url)));
    assertEquals(200, r.statusCode(), url + ": " + new String(r.body(), StandardCharsets.UTF_8));
    return Json.strict().readTree(r.body());
  }

  private void assertHubError(String url, String code) throws Exception {
    HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(url)));
    assertEquals(404, r.statusCode(), url);
    assertEquals(code, r.headers().firstValue("X-Error-Code").orElse(null), url);
    assertNotNull(Json.strict().readTree(r.body()).get("error"));
  }

  static Digest sha256(Path file) {
    return MirrorState.sha256(file);
  }

  static String gitOid(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return GitOids.blobOid(in, Files.size(file));
    }
  }

  private static void assertSameFiles(Path folder, Path original, List<String> paths) throws IOException {
    for (String p : paths) assertArrayEquals(Files.readAllBytes(original.resolve(p)), Files.readAllBytes(folder.resolve(p)), p);
    try (Stream<Path> s = Files.walk(folder)) {
      assertEquals(paths.size(), s.filter(Files::isRegularFile).count(), "exactly the exported files in " + folder);
    }
  }

  private static Path script(String rel) {
    return Cli.repoRoot().resolve("testdata/hf").resolve(rel);
  }

  /** Runs a client against {@code endpoint} with a private HF home (no token, no shared cache); returns stdout. */
  private static String runClient(List<String> command, String endpoint) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    for (String k : List.of("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "HF_TOKEN", "HF_HUB_OFFLINE")) env.remove(k);
    env.put("HF_ENDPOINT", endpoint);
    env.put("HF_HOME", tmp.resolve("hf-home").toString());
    env.put("HF_HUB_DISABLE_XET", "1");
    env.put("HF_HUB_DISABLE_TELEMETRY", "1");
    env.put("HF_HUB_DISABLE_PROGRESS_BARS", "1");
    env.put("NO_PROXY", "127.0.0.1,localhost");
    Path err = Files.createTempFile(tmp, "client", ".err");
    Process p = pb.redirectError(err.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish");
    }
    assertEquals(0, p.exitValue(), () -> command + "\nstdout: " + out + "\nstderr: " + readQuietly(err));
    return out;
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }

  private static String lastLine(String out) {
    List<String> lines = out.strip().lines().toList();
    return lines.get(lines.size() - 1).strip();
  }

  /**
   * A venv with {@code huggingface_hub} from the machine's pip configuration (its on-disk package
   * index), kept in testdata/hf/py/.venv between runs; the test is skipped where it cannot be installed.
   */
  private static Path pythonWithHuggingfaceHub() throws Exception {
    Path venv = Cli.repoRoot().resolve("testdata/hf/py/.venv");
    Path python = venv.resolve("bin/python");
    if (quiet(List.of(python.toString(), "-c", "import huggingface_hub")) == 0) return python;
    Assumptions.assumeTrue(onPath("python3"), "python3 not installed");
    Assumptions.assumeTrue(quiet(List.of("python3", "-m", "venv", "--clear", venv.toString())) == 0, "python3 -m venv failed (python3-venv missing?)");
    int rc = quiet(List.of(python.toString(), "-m", "pip", "install", "--retries", "0", "--timeout", "10", "--disable-pip-version-check", "huggingface_hub"));
    Assumptions.assumeTrue(rc == 0, "huggingface_hub is not installable on this machine (not in its package index)");
    return python;
  }

  private static int quiet(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static boolean onPath(String tool) {
    return quiet(List.of("sh", "-c", "command -v " + tool)) == 0;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Map<Path, Path> links = new HashMap<>();
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isSymbolicLink(p)) links.put(target, Files.readSymbolicLink(p));
        else if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target);
      }
    }
    for (Map.Entry<Path, Path> e : links.entrySet()) Files.createSymbolicLink(e.getKey(), e.getValue());
  }
}
