package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Container images end to end with the real tools: hand-built OCI layouts pushed by skopeo into
 * Debian's docker-registry; {@code airgap export} from it (platform filter, signatures, referrers),
 * from a layout directory and from a docker-save archive; {@code airgap import}; then skopeo (and
 * podman where it runs) pull from {@code airgap serve} by tag and by digest, with digests equal to
 * upstream's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OciEndToEndTest {
  @TempDir static Path tmp;

  private OciFixtures.Registry registry;
  private JsonNode expected;
  private Path images;
  private Path mirror;
  private Path trust;
  private Cli.Server server;
  private Path bundle;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void setUp() throws Exception {
    assumeTrue(OciFixtures.toolsAvailable(), "skopeo, docker-registry or python3 missing");
    images = tmp.resolve("images");
    expected = OciFixtures.makeImages(images, 1);
    registry = OciFixtures.Registry.start(tmp.resolve("registry"));
    String host = registry.host();
    OciFixtures.push(images.resolve("layouts/app"), "1.0", host + "/test/app:1.0", false);
    OciFixtures.push(images.resolve("layouts/multi"), "2.0", host + "/test/multi:2.0", true);
    String appHex = expected.get("app").asText().substring(7);
    OciFixtures.push(images.resolve("layouts/extras"), "sha256-" + appHex + ".sig", host + "/test/app:sha256-" + appHex + ".sig", false);
    OciFixtures.pushRaw(registry.url(), "test/app", images.resolve("layouts/extras"), "sha256-" + appHex);

    Cli.run("keys", "generate", "--out", tmp.resolve("keys").toString(), "--name", "ops").expect(0);
    trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(tmp.resolve("keys/ops.pub"), trust.resolve("ops.pub"));
    Path spec = tmp.resolve("spec.yml");
    Files.writeString(spec, String.join("\n",
        "channel: images",
        "artifacts:",
        "  - type: oci",
        "    registries:",
        "      \"" + host + "\": {url: \"" + registry.url() + "\"}",
        "    images: [" + host + "/test/app:1.0, " + host + "/test/multi:2.0]",
        "    platforms: [linux/arm64]",
        "    signatures: true",
        "  - type: oci",
        "    registries:",
        "      \"" + host + "\": {url: \"" + registry.url() + "\"}",
        "    images: [" + host + "/test/multi@" + expected.get("multi").asText() + "]",
        "    keepWholeIndex: true",
        "  - type: oci",
        "    layout: images/layouts/other",
        "    repository: test/other",
        "  - type: oci",
        "    archive: images/archives/archived.tar",
        ""));
    bundle = tmp.resolve("images.bundle");
    Cli.run("export", "--spec", spec.toString(), "--key", tmp.resolve("keys/ops.key").toString(), "--out", bundle.toString(), "--sequence", "1").expect(0);
    mirror = tmp.resolve("mirror");
    Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(0);
    server = Cli.Server.start(mirror);
  }

  @AfterAll
  void tearDown() throws Exception {
    if (server != null) server.close();
    if (registry != null) registry.close();
  }

  private String mirrorHost() {
    return "127.0.0.1:" + server.port;
  }

  private byte[] raw(String reference) throws Exception {
    String out = OciFixtures.run(OciFixtures.skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + reference));
    return out.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void inspectShowsImagesPlatformsLayersAndSignatures() throws Exception {
    String out = Cli.run("inspect", bundle.toString()).expect(0).out();
    assertTrue(out.contains("oci test/app 1.0  pkg:oci/app@sha256%3A" + expected.get("app").asText().substring(7)), out);
    assertTrue(out.contains("platforms: linux/arm64"), out);
    assertTrue(out.contains("signatures: 1"), out);
    assertTrue(out.contains("referrers: 1 (application/spdx+json)"), out);
    assertTrue(out.contains("upstreamDigest: " + expected.get("multi").asText()), out);
    JsonNode manifest = Json.strict().readTree(Cli.run("inspect", bundle.toString(), "--json").expect(0).out()).get("manifest");
    // base is a layer of app, multi (both platforms), other and the archive: one blob in the bundle.
    long files = 0;
    java.util.Set<String> distinct = new java.util.HashSet<>();
    int baseListed = 0;
    for (JsonNode a : manifest.get("artifacts")) {
      for (JsonNode f : a.get("files")) {
        files++;
        distinct.add(f.get("sha256").asText());
        if (f.get("sha256").asText().equals(expected.get("base").asText())) baseListed++;
      }
    }
    assertTrue(baseListed >= 4, "base layer listed by every image on it: " + baseListed);
    assertTrue(out.contains(distinct.size() + " distinct blob(s)"), out);
    assertTrue(distinct.size() < files);
    // The SBOM links the SBOM carried as a referrer.
    try (Stream<Path> s = Files.list(mirror.resolve("current/bundles"))) {
      String sbom = Files.readString(s.findFirst().orElseThrow().resolve("sbom.cdx.json"));
      assertTrue(sbom.contains("\"airgap:prop:sbom\""), "sbom property");
      assertTrue(sbom.contains(expected.get("sbomLayer").asText().substring(7)), "sbom layer linked");
      assertTrue(sbom.contains("\"container\""), "container component");
    }
  }

  @Test
  void skopeoPullsByTagAndDigestWithUpstreamDigests() throws Exception {
    String m = mirrorHost();
    String app = expected.get("app").asText();
    byte[] upstream = raw(registry.host() + "/test/app:1.0");
    assertEquals(app, Digest.of(upstream).toString());
    assertArrayEquals(upstream, raw(m + "/test/app:1.0"));
    assertArrayEquals(upstream, raw(m + "/test/app@" + app));

    // The platform-filtered index keeps arm64 only, under the tag; the arm64 image is upstream's.
    JsonNode filtered = Json.strict().readTree(raw(m + "/test/multi:2.0"));
    assertEquals(1, filtered.get("manifests").size());
    assertEquals(expected.get("multi-arm64").asText(), filtered.get("manifests").get(0).get("digest").asText());
    assertNotEquals(expected.get("multi").asText(), Digest.of(raw(m + "/test/multi:2.0")).toString());
    // keepWholeIndex: the upstream index by digest, byte for byte.
    assertArrayEquals(raw(registry.host() + "/test/multi@" + expected.get("multi").asText()), raw(m + "/test/multi@" + expected.get("multi").asText()));

    Path out = tmp.resolve("pulled");
    OciFixtures.run(OciFixtures.skopeo("copy", "--src-tls-verify=false", "docker://" + m + "/test/app:1.0", "oci:" + out + ":app"));
    OciFixtures.run(OciFixtures.skopeo("copy", "--src-tls-verify=false", "docker://" + m + "/test/app@" + app, "oci:" + out + ":app-by-digest"));
    OciFixtures.run(OciFixtures.skopeo("copy", "--all", "--src-tls-verify=false", "docker://" + m + "/test/multi:2.0", "oci:" + out + ":multi"));
    OciFixtures.run(OciFixtures.skopeo("copy", "--src-tls-verify=false", "--override-arch", "arm64", "docker://" + m + "/test/multi:2.0", "oci:" + out + ":multi-arm64"));
    OciFixtures.run(OciFixtures.skopeo("copy", "--src-tls-verify=false", "docker://" + m + "/test/other:1.0", "oci:" + out + ":other"));
    OciFixtures.run(OciFixtures.skopeo("copy", "--src-tls-verify=false", "docker://" + m + "/archived/app:3.0", "oci:" + out + ":archived"));
    for (JsonNode d : expected.get("appLayers")) assertBlob(out, d.asText(), images.resolve("layouts/app"));
    assertBlob(out, expected.get("other").asText(), images.resolve("layouts/other"));
    assertBlob(out, expected.get("multi-arm64").asText(), images.resolve("layouts/multi"));
    assertFalse(Files.exists(blob(out, expected.get("multi-amd64").asText())), "amd64 was filtered out");
    // The docker-save archive becomes a schema 2 manifest over the archive's own layer tars and config.
    JsonNode archived = Json.strict().readTree(raw(m + "/archived/app:3.0"));
    assertEquals("application/vnd.docker.distribution.manifest.v2+json", archived.get("mediaType").asText());
    assertEquals(expected.get("archivedConfig").asText(), archived.get("config").get("digest").asText());
    assertEquals(strings(expected.get("archivedLayers")), strings(archived.get("layers").findValues("digest")));
    for (JsonNode d : expected.get("archivedLayers")) {
      HttpResponse<byte[]> layer = http.send(HttpRequest.newBuilder(URI.create(server.url("/v2/archived/app/blobs/" + d.asText()))).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(d.asText(), Digest.of(layer.body()).toString());
    }

    String tags = OciFixtures.run(OciFixtures.skopeo("list-tags", "--tls-verify=false", "docker://" + m + "/test/app"));
    assertTrue(tags.contains("\"1.0\"") && tags.contains(".sig\""), tags);
  }

  private static Path blob(Path layout, String digest) {
    return layout.resolve("blobs/sha256").resolve(digest.substring(7));
  }

  private static void assertBlob(Path pulled, String digest, Path source) throws Exception {
    assertArrayEquals(Files.readAllBytes(blob(source, digest)), Files.readAllBytes(blob(pulled, digest)), digest);
  }

  @Test
  void registryProtocolDetails() throws Exception {
    String base = server.url("/v2/");
    HttpResponse<String> r = get(base);
    assertEquals(200, r.statusCode());
    assertEquals("{}", r.body());
    assertEquals("registry/2.0", r.headers().firstValue("Docker-Distribution-API-Version").orElse(""));

    String app = expected.get("app").asText();
    HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create(base + "test/app/manifests/1.0")).method("HEAD", HttpRequest.BodyPublishers.noBody())
        .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, head.statusCode());
    assertEquals(app, head.headers().firstValue("Docker-Content-Digest").orElse(""));
    assertEquals("application/vnd.oci.image.manifest.v1+json", head.headers().firstValue("Content-Type").orElse(""));
    assertEquals("", head.body());

    // Accept negotiation over repeated header lines, as Go clients send them.
    HttpResponse<String> docker = http.send(HttpRequest.newBuilder(URI.create(base + "test/app/manifests/1.0"))
        .header("Accept", "application/vnd.docker.distribution.manifest.v2+json").build(), HttpResponse.BodyHandlers.ofString());
    assertError(docker, 404, "MANIFEST_UNKNOWN");
    HttpResponse<String> repeated = http.send(HttpRequest.newBuilder(URI.create(base + "test/app/manifests/1.0"))
        .header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
        .header("Accept", "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, repeated.statusCode());

    assertError(get(base + "test/app/manifests/9.9"), 404, "MANIFEST_UNKNOWN");
    assertError(get(base + "no/such/repo/manifests/1.0"), 404, "NAME_UNKNOWN");
    assertError(get(base + "test/app/blobs/sha256:" + "0".repeat(64)), 404, "BLOB_UNKNOWN");
    // Blobs of one repository are not reachable through another.
    assertError(get(base + "test/other/blobs/" + expected.get("appLayers").get(1).asText()), 404, "BLOB_UNKNOWN");

    String layer = expected.get("appLayers").get(1).asText();
    byte[] layerBytes = Files.readAllBytes(blob(images.resolve("layouts/app"), layer));
    HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(URI.create(base + "test/app/blobs/" + layer)).header("Range", "bytes=10-19").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(206, range.statusCode());
    assertArrayEquals(java.util.Arrays.copyOfRange(layerBytes, 10, 20), range.body());
    assertEquals("bytes 10-19/" + layerBytes.length, range.headers().firstValue("Content-Range").orElse(""));
    HttpResponse<byte[]> unsatisfiable = http.send(HttpRequest.newBuilder(URI.create(base + "test/app/blobs/" + layer)).header("Range", "bytes=" + layerBytes.length + "-").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(416, unsatisfiable.statusCode());

    // Tag listing: sorted, n/last pagination with a Link to the next page, bounded n.
    HttpResponse<String> page1 = get(base + "test/app/tags/list?n=1");
    assertEquals(200, page1.statusCode());
    JsonNode p1 = Json.strict().readTree(page1.body());
    assertEquals("test/app", p1.get("name").asText());
    assertEquals(List.of("1.0"), strings(p1.get("tags")));
    assertEquals("</v2/test/app/tags/list?n=1&last=1.0>; rel=\"next\"", page1.headers().firstValue("Link").orElse(""));
    JsonNode p2 = Json.strict().readTree(get(base + "test/app/tags/list?n=5&last=1.0").body());
    assertEquals(2, p2.get("tags").size());
    assertError(get(base + "test/app/tags/list?n=-1"), 400, "PAGINATION_NUMBER_INVALID");
    assertEquals(3, Json.strict().readTree(get(base + "test/app/tags/list?n=999999999").body()).get("tags").size());

    // Referrers API, with and without an artifactType filter.
    HttpResponse<String> refs = get(base + "test/app/referrers/" + app);
    assertEquals(200, refs.statusCode());
    assertEquals("application/vnd.oci.image.index.v1+json", refs.headers().firstValue("Content-Type").orElse(""));
    JsonNode list = Json.strict().readTree(refs.body()).get("manifests");
    assertEquals(1, list.size());
    assertEquals(expected.get("sbom").asText(), list.get(0).get("digest").asText());
    assertEquals("application/spdx+json", list.get(0).get("artifactType").asText());
    HttpResponse<String> filtered = get(base + "test/app/referrers/" + app + "?artifactType=application/spdx%2Bjson");
    assertEquals("artifactType", filtered.headers().firstValue("OCI-Filters-Applied").orElse(""));
    assertEquals(1, Json.strict().readTree(filtered.body()).get("manifests").size());
    assertEquals(0, Json.strict().readTree(get(base + "test/app/referrers/" + app + "?artifactType=application/vnd.example").body()).get("manifests").size());
    assertEquals(0, Json.strict().readTree(get(base + "test/app/referrers/sha256:" + "1".repeat(64)).body()).get("manifests").size());
    // A malformed digest is one read-only answer wherever a digest goes.
    for (String bad : List.of("latest", "sha256:" + "0".repeat(63), "sha256:" + "A".repeat(64), "sha512:" + "0".repeat(128), "md5:abc")) {
      assertDigestInvalid(get(base + "test/app/referrers/" + bad));
      assertDigestInvalid(get(base + "test/app/blobs/" + bad));
      if (bad.contains(":")) assertDigestInvalid(get(base + "test/app/manifests/" + bad));
    }
    assertError(get(base + "test/app/manifests/-not-a-tag"), 404, "MANIFEST_UNKNOWN");

    // Every write is refused with UNSUPPORTED.
    for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
      HttpResponse<String> w = http.send(HttpRequest.newBuilder(URI.create(base + "test/app/manifests/1.0")).method(method, HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertError(w, 405, "UNSUPPORTED");
    }
    assertError(http.send(HttpRequest.newBuilder(URI.create(base + "test/app/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString()), 405, "UNSUPPORTED");
  }

  @Test
  void pushToTheMirrorFailsCleanlyInSkopeo() throws Exception {
    MirrorState.Snapshot before = MirrorState.snapshot(mirror);
    OciFixtures.ProcessResult r = OciFixtures.exec(OciFixtures.skopeo("copy", "--dest-tls-verify=false", "oci:" + images.resolve("layouts/app") + ":1.0",
        "docker://" + mirrorHost() + "/test/pushed:1.0"));
    assertNotEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("unsupported") && r.output().contains("read-only mirror"), r.output());
    assertEquals(before, MirrorState.snapshot(mirror));
  }

  @Test
  void tlsClientHelloOnThePlainPortFailsCleanly() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      // The start of a TLS 1.2 ClientHello record, as skopeo sends before falling back to HTTP.
      out.write(HexFormat.of().parseHex("16030100a5010000a10303" + "00".repeat(64)));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] answer = in.readAllBytes(); // ends when the server closes: no hang
      String text = new String(answer, StandardCharsets.ISO_8859_1);
      assertTrue(text.startsWith("HTTP/1.1 400 "), text);
    }
  }

  @Test
  void podmanPullsByTagAndDigest() throws Exception {
    assumeTrue(OciFixtures.onPath("podman"), "podman not installed");
    Path root = tmp.resolve("podman");
    List<String> podman = new ArrayList<>(List.of("podman", "--root", root.resolve("root").toString(), "--runroot", root.resolve("run").toString(),
        "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "none"));
    List<String> probe = new ArrayList<>(podman);
    probe.add("info");
    assumeTrue(OciFixtures.exec(probe).exitCode() == 0, "podman does not run on this machine");
    String app = expected.get("app").asText();
    for (String ref : List.of(mirrorHost() + "/test/app:1.0", mirrorHost() + "/test/app@" + app)) {
      List<String> pull = new ArrayList<>(podman);
      pull.addAll(List.of("pull", "--tls-verify=false", ref));
      OciFixtures.run(pull);
    }
    List<String> digests = new ArrayList<>(podman);
    digests.addAll(List.of("images", "--digests", "--format", "{{.Digest}}"));
    assertTrue(OciFixtures.run(digests).contains(app));
  }

  @Test
  void tamperedUpstreamBlobAbortsTheExport() throws Exception {
    Path variant = tmp.resolve("images-2");
    JsonNode v2 = OciFixtures.makeImages(variant, 2);
    OciFixtures.push(variant.resolve("layouts/app"), "1.0", registry.host() + "/test/tampered:1.0", false);
    String layer = v2.get("appLayers").get(1).asText(); // unique to variant 2: no other test reads it
    Path data = registry.blobData(layer);
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 0x20;
    Files.write(data, bytes);
    Path spec = tmp.resolve("tampered.yml");
    Files.writeString(spec, String.join("\n",
        "artifacts:",
        "  - type: oci",
        "    registries: {\"" + registry.host() + "\": {url: \"" + registry.url() + "\"}}",
        "    images: [" + registry.host() + "/test/tampered:1.0]",
        ""));
    Path out = tmp.resolve("tampered.bundle");
    Cli.Run r = Cli.run("export", "--spec", spec.toString(), "--key", tmp.resolve("keys/ops.key").toString(), "--out", out.toString()).expect(3);
    String line = r.errorLine();
    assertTrue(line.contains(layer) && line.contains("digest mismatch"), line);
    assertFalse(Files.exists(out));
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    JsonNode e = Json.strict().readTree(r.body()).get("errors").get(0);
    assertEquals(code, e.get("code").asText(), r.body());
  }

  private static void assertDigestInvalid(HttpResponse<String> r) throws Exception {
    assertError(r, 400, "DIGEST_INVALID");
    String message = Json.strict().readTree(r.body()).get("errors").get(0).get("message").asText();
    assertEquals("invalid digest: this registry serves sha256 digests of 64 lowercase hex digits", message, r.uri().toString());
  }

  private static List<String> strings(Iterable<JsonNode> array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
