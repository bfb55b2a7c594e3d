package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyPI end to end with real components: the fixture index (testdata/pypi/make-index.py) served by a
 * loopback HTTP server → {@code airgap export} resolves the closure per target → import → {@code
 * airgap serve} → the machine's real pip installs from the mirror into fresh venvs, by name and in
 * {@code --require-hashes} mode.
 */
class PypiEndToEndTest {
  static final String PIP_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.1, text/html;q=0.01";
  @TempDir Path tmp;
  Path trust;
  Path key;

  @BeforeEach
  void keys() throws Exception {
    Cli.run("keys", "generate", "--out", tmp.resolve("keys").toString(), "--name", "ops").expect(0);
    trust = Files.createDirectories(tmp.resolve("trust"));
    Files.copy(tmp.resolve("keys/ops.pub"), trust.resolve("ops.pub"));
    key = tmp.resolve("keys/ops.key");
  }

  static Path spec(Path file, String index, List<String> requirements, String targets) throws Exception {
    String reqs = requirements.stream().map(r -> "'" + r.replace("'", "''") + "'").collect(Collectors.joining(", "));
    Files.writeString(file, "artifacts:\n  - type: pypi\n    indexes: ['" + index + "']\n    requirements: [" + reqs + "]\n    targets:\n" + targets);
    return file;
  }

  @Test
  void resolvesPerTargetAndRealPipInstallsFromTheMirror() throws Exception {
    Path upstream = PypiFixture.build(tmp.resolve("upstream"));
    Path bundle = tmp.resolve("out/py.bundle");
    String targets = """
              - python: "3.11"
                platforms: [manylinux_2_28_x86_64, win_amd64, macosx_11_0_arm64]
              - python: "3.12"
                platforms: [any]
              - python: "3.9"
                platforms: [manylinux_2_17_x86_64]
        """;
    try (PypiFixture.StaticServer up = new PypiFixture.StaticServer(upstream)) {
      Path spec = spec(tmp.resolve("spec.yaml"), up.url("/simple/"), List.of("app[extra]"), targets);
      Cli.run("export", "--key", key.toString(), "--out", bundle.toString(), "--spec", spec.toString(), "--channel", "py", "--sequence", "1").expect(0);
    }

    // the closure of each environment: markers, extras, Requires-Python, yanked and pre-release rules, wheel tags, sdist fallback
    JsonNode manifest = Json.strict().readTree(Cli.run("inspect", bundle.toString(), "--json").expect(0).out()).get("manifest");
    Map<String, String> targetsOf = new TreeMap<>();
    Map<String, List<String>> filesOf = new TreeMap<>();
    for (JsonNode a : manifest.get("artifacts")) {
      assertEquals("pypi", a.get("type").asText());
      String id = a.get("name").asText() + " " + a.get("version").asText();
      assertEquals("pkg:pypi/" + a.get("name").asText() + "@" + a.get("version").asText(), a.get("purl").asText());
      targetsOf.put(id, a.get("properties").get("targets").asText());
      filesOf.put(id, a.get("files").findValuesAsText("path"));
    }
    String all = "cp311-manylinux_2_28_x86_64, cp311-win_amd64, cp311-macosx_11_0_arm64, cp312-any, cp39-manylinux_2_17_x86_64";
    Map<String, String> expected = new TreeMap<>(Map.of(
        "app 1.0", all,
        "alpha 2.0", "cp311-manylinux_2_28_x86_64, cp311-win_amd64, cp311-macosx_11_0_arm64, cp39-manylinux_2_17_x86_64",
        "alpha 2.5", "cp312-any",
        "beta 1.0", all,
        "gamma 1.0", all,
        "native 1.0", all,
        "winonly 1.0", "cp311-win_amd64",
        "oldpy 1.0", "cp39-manylinux_2_17_x86_64"));
    assertEquals(expected, targetsOf);
    assertEquals(List.of(
        "pypi/native/native-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "pypi/native/native-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.metadata",
        "pypi/native/native-1.0-cp311-cp311-win_amd64.whl",
        "pypi/native/native-1.0-cp311-cp311-win_amd64.whl.metadata",
        "pypi/native/native-1.0.tar.gz"), filesOf.get("native 1.0"));
    // beta's index offers no PEP 658 file: its metadata comes out of the wheel and is exported beside it
    assertEquals(List.of("pypi/beta/beta-1.0-py3-none-any.whl", "pypi/beta/beta-1.0-py3-none-any.whl.metadata"), filesOf.get("beta 1.0"));
    String text = Cli.run("inspect", bundle.toString()).expect(0).out();
    assertTrue(text.contains("pypi alpha 2.0  pkg:pypi/alpha@2.0"), text);
    assertTrue(text.contains("targets: cp311-win_amd64"), text);

    Path mirror = tmp.resolve("mirror");
    Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(0);
    JsonNode sbom = Json.strict().readTree(Files.readAllBytes(MirrorState.list(mirror.resolve("current/bundles")).stream()
        .map(b -> mirror.resolve("current/bundles").resolve(b).resolve("sbom.cdx.json")).findFirst().orElseThrow()));
    JsonNode app = null;
    for (JsonNode c : sbom.get("components")) if (c.path("purl").asText().equals("pkg:pypi/app@1.0")) app = c;
    assertTrue(app != null, "SBOM has pkg:pypi/app@1.0");
    assertEquals("library", app.get("type").asText());
    assertTrue(app.toString().contains("Apache-2.0"), app.toString());

    HttpClient http = HttpClient.newHttpClient();
    try (Cli.Server server = Cli.Server.start(mirror)) {
      String simple = server.url("/pypi/simple/");
      HttpResponse<String> list = get(http, simple, null);
      assertEquals(200, list.statusCode());
      assertTrue(list.body().contains("<a href=\"native/\">native</a>"), list.body());
      HttpResponse<String> redirect = get(http, simple + "Native/", PIP_ACCEPT);
      assertEquals(301, redirect.statusCode());
      assertEquals("/pypi/simple/native/", redirect.headers().firstValue("Location").orElseThrow());
      assertEquals(301, get(http, simple + "native", null).statusCode());

      HttpResponse<String> json = get(http, simple + "alpha/", PIP_ACCEPT);
      assertEquals("application/vnd.pypi.simple.v1+json", json.headers().firstValue("Content-Type").orElseThrow());
      JsonNode page = Json.strict().readTree(json.body());
      assertEquals("1.1", page.get("meta").get("api-version").asText());
      assertEquals(List.of("alpha-2.0-py3-none-any.whl", "alpha-2.5-py3-none-any.whl"), page.get("files").findValuesAsText("filename"));
      JsonNode f = page.get("files").get(0);
      assertEquals(">=3.8", f.get("requires-python").asText());
      byte[] wheel = fetch(http, simple + "alpha/" + f.get("url").asText());
      assertEquals(Digest.of(Files.readAllBytes(upstream.resolve("files/alpha-2.0-py3-none-any.whl"))).hex(), f.get("hashes").get("sha256").asText());
      assertEquals(f.get("hashes").get("sha256").asText(), Digest.of(wheel).hex());
      byte[] metadata = fetch(http, simple + "alpha/" + f.get("url").asText() + ".metadata");
      assertEquals(f.get("core-metadata").get("sha256").asText(), Digest.of(metadata).hex());

      HttpResponse<String> html = get(http, simple + "alpha/", "text/html");
      assertTrue(html.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
      assertTrue(html.body().contains("href=\"../../files/alpha/alpha-2.0-py3-none-any.whl#sha256=" + Digest.of(wheel).hex() + "\""), html.body());
      assertTrue(html.body().contains("data-requires-python=\"&gt;=3.8\""), html.body());
      assertTrue(html.body().contains("data-core-metadata=\"sha256=" + Digest.of(metadata).hex() + "\""), html.body());
      assertEquals("application/vnd.pypi.simple.v1+html", get(http, simple + "alpha/", "application/vnd.pypi.simple.v1+html, text/html;q=0.5").headers().firstValue("Content-Type").orElseThrow());
      assertEquals(406, get(http, simple + "alpha/", "application/xml").statusCode());
      assertEquals(404, get(http, simple + "oldpy-not-here/", PIP_ACCEPT).statusCode());
      assertEquals(404, get(http, server.url("/pypi/files/alpha/alpha-1.0-py3-none-any.whl"), null).statusCode());

      // real pip, by name: the approved closure for this machine (CPython 3.11 on manylinux x86_64)
      String indexUrl = simple;
      Path venv = PypiFixture.venv(tmp.resolve("venv1"));
      Cli.Run pip = PypiFixture.pipInstall(venv, indexUrl, "app[extra]");
      assertEquals(0, pip.exitCode(), pip.out() + pip.err());
      assertEquals("2.0 1.0 1.0 None", PypiFixture.python(venv,
          "import importlib.util as u, alpha, native, gamma, app; print(alpha.VERSION, native.VERSION, gamma.VERSION, u.find_spec('winonly'))"));
      assertTrue(pip.out().contains(".metadata") || pip.out().contains("Successfully installed"), pip.out());

      // not approved for the mirror: pip finds nothing
      Cli.Run refused = PypiFixture.pipInstall(PypiFixture.venv(tmp.resolve("venv2")), indexUrl, "alpha==1.0");
      assertNotEquals(0, refused.exitCode());
      assertTrue(refused.err().contains("No matching distribution found for alpha==1.0"), refused.err());

      // real pip with --require-hashes: a lock file of the hashes the mirror publishes
      StringBuilder lock = new StringBuilder();
      for (String project : List.of("app", "alpha", "beta", "gamma", "native")) {
        JsonNode p = Json.strict().readTree(get(http, simple + project + "/", PIP_ACCEPT).body());
        for (JsonNode file : p.get("files")) {
          String name = file.get("filename").asText();
          if (name.contains("win_amd64") || name.endsWith(".tar.gz") || name.startsWith("alpha-2.5")) continue;
          String version = name.split("-")[1];
          lock.append(project).append("==").append(version).append(" --hash=sha256:").append(file.get("hashes").get("sha256").asText()).append('\n');
        }
      }
      Path locked = Files.writeString(tmp.resolve("requirements.lock"), lock.toString());
      Path venv3 = PypiFixture.venv(tmp.resolve("venv3"));
      Cli.Run hashed = PypiFixture.pipInstall(venv3, indexUrl, "--require-hashes", "-r", locked.toString());
      assertEquals(0, hashed.exitCode(), hashed.out() + hashed.err());
      assertEquals("2.0", PypiFixture.python(venv3, "import alpha; print(alpha.VERSION)"));
      // and pip's hash check is real: a wrong pin fails
      Path wrong = Files.writeString(tmp.resolve("wrong.lock"), "gamma==1.0 --hash=sha256:" + "0".repeat(64) + "\n");
      Cli.Run bad = PypiFixture.pipInstall(PypiFixture.venv(tmp.resolve("venv4")), indexUrl, "--require-hashes", "-r", wrong.toString());
      assertNotEquals(0, bad.exitCode());
      assertTrue(bad.err().contains("THESE PACKAGES DO NOT MATCH THE HASHES"), bad.err());
    }
  }

  @Test
  void yankedOnlyWhenPinnedHashMismatchAbortsUnsatisfiableNamesTheConflict() throws Exception {
    Path upstream = PypiFixture.build(tmp.resolve("upstream"));
    String any311 = "      - python: \"3.11\"\n        platforms: [any]\n";
    Path out = Files.createDirectories(tmp.resolve("out"));
    try (PypiFixture.StaticServer up = new PypiFixture.StaticServer(upstream)) {
      String index = up.url("/simple/");
      // a yanked release is exported only when pinned with ==, and keeps its yanked mark on the mirror
      Path yanked = out.resolve("yanked.bundle");
      Cli.run("export", "--key", key.toString(), "--out", yanked.toString(), "--sequence", "1",
          "--spec", spec(tmp.resolve("yanked.yaml"), index, List.of("alpha==2.1"), any311).toString()).expect(0);
      JsonNode a = Json.strict().readTree(Cli.run("inspect", yanked.toString(), "--json").expect(0).out()).get("manifest").get("artifacts").get(0);
      assertEquals("2.1", a.get("version").asText());
      assertEquals("broken build", a.get("properties").get("yanked:alpha-2.1-py3-none-any.whl").asText());
      Path mirror = tmp.resolve("mirror");
      Cli.run("import", yanked.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(0);
      try (Cli.Server server = Cli.Server.start(mirror)) {
        HttpClient http = HttpClient.newHttpClient();
        assertTrue(get(http, server.url("/pypi/simple/alpha/"), "text/html").body().contains("data-yanked=\"broken build\""));
        assertEquals("broken build", Json.strict().readTree(get(http, server.url("/pypi/simple/alpha/"), PIP_ACCEPT).body()).get("files").get(0).get("yanked").asText());
      }

      // unsatisfiable: the message names every requirement on the project and who asked for it
      Cli.Run unsat = Cli.run("export", "--key", key.toString(), "--out", out.resolve("unsat.bundle").toString(),
          "--spec", spec(tmp.resolve("unsat.yaml"), index, List.of("app", "alpha<1.0"), any311).toString());
      unsat.expect(2);
      String line = unsat.errorLine();
      assertTrue(line.contains("alpha<1.0 (required by"), line);
      assertTrue(line.contains("alpha>=1.0 (required by app 1.0)"), line);
      assertTrue(line.contains("python 3.11 on any"), line);
      Cli.Run missing = Cli.run("export", "--key", key.toString(), "--out", out.resolve("missing.bundle").toString(),
          "--spec", spec(tmp.resolve("missing.yaml"), index, List.of("no-such-project>=1"), any311).toString());
      missing.expect(2);
      assertTrue(missing.errorLine().contains("no index has a project named 'no-such-project'"), missing.err());

      // the upstream serves a wheel whose bytes do not match its index hash: the export aborts, nothing is written
      Path wheel = upstream.resolve("files/alpha-2.0-py3-none-any.whl");
      byte[] bytes = Files.readAllBytes(wheel);
      bytes[bytes.length / 2] ^= 1;
      Files.write(wheel, bytes);
      Cli.Run tampered = Cli.run("export", "--key", key.toString(), "--out", out.resolve("tampered.bundle").toString(),
          "--spec", spec(tmp.resolve("tampered.yaml"), index, List.of("alpha"), any311).toString());
      tampered.expect(3);
      assertTrue(tampered.errorLine().contains("alpha-2.0-py3-none-any.whl"), tampered.err());
      assertTrue(tampered.errorLine().contains("digest mismatch"), tampered.err());
      assertEquals(List.of("yanked.bundle"), MirrorState.list(out));
    }
  }

  /**
   * Optional: where the machine has an on-disk PEP 503 index (its pip configuration names
   * file:///opt/pypi/simple on some of our machines), a real package and its transitive
   * dependencies are exported from it and installed by pip from the mirror. Skipped elsewhere.
   */
  @Test
  void realPackageFromTheMachinesOnDiskIndex() throws Exception {
    Path onDisk = Path.of("/opt/pypi/simple");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(onDisk.resolve("requests/index.html")), "no on-disk index at " + onDisk);
    Path bundle = tmp.resolve("out/real.bundle");
    Path spec = spec(tmp.resolve("real.yaml"), onDisk.toUri().toString(), List.of("requests"),
        "      - python: \"3.11\"\n        platforms: [manylinux_2_28_x86_64]\n");
    Cli.run("export", "--key", key.toString(), "--out", bundle.toString(), "--spec", spec.toString(), "--sequence", "1").expect(0);
    JsonNode artifacts = Json.strict().readTree(Cli.run("inspect", bundle.toString(), "--json").expect(0).out()).get("manifest").get("artifacts");
    List<String> names = artifacts.findValuesAsText("name");
    assertTrue(names.contains("requests") && names.contains("urllib3") && names.contains("idna") && names.size() >= 4, names.toString());
    Path mirror = tmp.resolve("mirror");
    Cli.run("import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan").expect(0);
    try (Cli.Server server = Cli.Server.start(mirror)) {
      Path venv = PypiFixture.venv(tmp.resolve("venv"));
      Cli.Run pip = PypiFixture.pipInstall(venv, server.url("/pypi/simple/"), "requests");
      assertEquals(0, pip.exitCode(), pip.out() + pip.err());
      assertFalse(PypiFixture.python(venv, "import requests, urllib3; print(requests.__version__)").isEmpty());
    }
  }

  static HttpResponse<String> get(HttpClient http, String url, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (accept != null) b.header("Accept", accept);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static byte[] fetch(HttpClient http, String url) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url).normalize()).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode(), url);
    assertFalse(r.body().length == 0, url);
    return r.body();
  }
}
