package dev.airgap.cli;

import com.sun.net.httpserver.HttpServer;
import dev.airgap.core.Digest;
import dev.airgap.core.Trace;
import dev.airgap.core.error.ExitCodes;
import dev.airgap.mirror.MirrorServer;
import dev.airgap.mirror.ServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.io.file.PathUtils;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * The workload the {@code ./airgap} launcher runs once per build under
 * {@code -XX:ArchiveClassesAtExit} to make its class-data-sharing archive: every command's usual
 * path on tiny data in a temporary directory — keys; export of files, a model, a local .deb, a
 * wheel (from a wheelhouse, then from a PEP 503 index on loopback) and a git repository (full, then
 * incremental); inspect; verify; import twice; audit; serve with a few GETs and git's requests — through {@link Main#run}, so the classes are the ones real commands
 * load. An archive of only the first command the user happened to run left the others loading
 * ~1,500 classes from the jars on every start. Nothing here leaves loopback. The launcher ignores a
 * failed training: the archive is an optimisation, never required ({@code StartupTrainingTest}
 * keeps every step working).
 */
public final class StartupTraining {
  private StartupTraining() {}

  /** One command of the training and its exit code. */
  record Step(List<String> args, int exitCode, int expectedExitCode) {
    boolean asExpected() {
      return exitCode == expectedExitCode;
    }
  }

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("airgap-training-");
    try {
      for (Step step : train(dir)) {
        if (Trace.enabled()) System.err.println("training: airgap " + String.join(" ", step.args()) + " -> exit " + step.exitCode());
      }
    } finally {
      PathUtils.deleteDirectory(dir);
    }
  }

  /** Runs every step in {@code dir} (empty, deleted by the caller). */
  static List<Step> train(Path dir) throws IOException {
    List<Step> steps = new ArrayList<>();
    Path keys = dir.resolve("keys");
    Path trust = Files.createDirectories(dir.resolve("trust"));
    steps.add(run(0, "keys", "generate", "--out", keys.toString(), "--name", "ops"));
    steps.add(run(0, "keys", "generate", "--openpgp", "--out", keys.toString(), "--name", "repo"));
    if (!Files.isRegularFile(keys.resolve("ops.pub"))) return steps;
    Files.copy(keys.resolve("ops.pub"), trust.resolve("ops.pub"));
    Path repoKey = keys.resolve("repo.secret.asc");

    Path files = Files.createDirectories(dir.resolve("files/docs"));
    Files.writeString(files.resolve("readme.txt"), "training\n");
    Files.writeString(files.resolve("data.csv"), "a,b\n1,2\n");
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{\"model_type\": \"training\"}\n");
    Files.write(model.resolve("model.safetensors"), new byte[4096]);
    Path deb = writeDeb(dir.resolve("debs"));
    Path wheelhouse = writeWheel(dir.resolve("wheels"));
    Path gitRepo = dir.resolve("repo");
    gitCommit(gitRepo, "training\n");
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(spec, String.join("\n",
        "channel: training",
        "artifacts:",
        "  - type: files",
        "    path: " + files,
        "  - type: model",
        "    name: training-model",
        "    path: " + model,
        "  - type: apt",
        "    suite: training",
        "    debs: [" + deb + "]",
        "  - type: pypi",
        "    wheelhouse: " + wheelhouse,
        "    requirements: [airgap-training]",
        "    targets:",
        "      - python: \"3.11\"",
        "        platforms: [manylinux_2_28_x86_64]",
        "  - type: git",
        "    url: " + gitRepo,
        "    name: training-repo",
        ""));
    Path mirror = dir.resolve("mirror");
    HttpServer index = pypiIndex(wheelhouse);
    for (int sequence = 1; sequence <= 2; sequence++) {
      if (sequence == 2) {
        // the second export resolves from a PEP 503 index on loopback instead of the wheelhouse
        String indexUrl = "http://127.0.0.1:" + index.getAddress().getPort() + "/simple/";
        Files.writeString(spec, Files.readString(spec).replace("wheelhouse: " + wheelhouse, "indexes: [\"" + indexUrl + "\"]"));
      }
      Path bundle = dir.resolve("training-" + sequence + ".bundle");
      // --state: the second export is incremental (git)
      steps.add(run(0, "export", "--key", keys.resolve("ops.key").toString(), "--spec", spec.toString(), "--out", bundle.toString(),
          "--sequence", Integer.toString(sequence), "--state", dir.resolve("state").toString()));
      steps.add(run(0, "inspect", bundle.toString(), "--trust", trust.toString()));
      steps.add(run(0, "inspect", bundle.toString(), "--json"));
      steps.add(run(0, "verify", bundle.toString(), "--trust", trust.toString()));
      steps.add(run(0, "import", bundle.toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan", "--repo-key", repoKey.toString()));
      Files.writeString(files.resolve("readme.txt"), "training, again\n");
      gitCommit(gitRepo, "training, again\n");
    }
    index.stop(0);
    steps.add(run(0, "audit", "verify", "--mirror", mirror.toString()));
    steps.add(serve(mirror));
    steps.add(run(ExitCodes.ENVIRONMENT, "import", dir.resolve("missing.bundle").toString(), "--mirror", mirror.toString(), "--trust", trust.toString(), "--no-scan"));
    steps.add(run(0, "--help"));
    return steps;
  }

  /** A PEP 503 page for the training wheel, served by the JDK's HTTP server on loopback. */
  private static HttpServer pypiIndex(Path wheelhouse) throws IOException {
    Path wheel = wheelhouse.resolve("airgap_training-1.0-py3-none-any.whl");
    String sha256 = Digest.of(Files.readAllBytes(wheel)).hex();
    String page = "<!DOCTYPE html><html><body><a href=\"../../files/" + wheel.getFileName() + "#sha256=" + sha256 + "\">"
        + wheel.getFileName() + "</a></body></html>";
    var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      byte[] body = path.startsWith("/simple/airgap-training/") ? page.getBytes(StandardCharsets.UTF_8)
          : path.equals("/files/" + wheel.getFileName()) ? Files.readAllBytes(wheel) : null;
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        exchange.getResponseHeaders().set("Content-Type", path.startsWith("/simple/") ? "text/html" : "application/octet-stream");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
      exchange.close();
    });
    server.start();
    return server;
  }

  /**
   * Starts the mirror server on a loopback port and fetches a few of its routes (with a Range);
   * exit code 0 when each answered as it should (the last one 404), else 1.
   */
  private static Step serve(Path mirror) {
    List<String> paths = List.of("/files/training/docs/readme.txt", "/pypi/simple/", "/pypi/simple/airgap-training/",
        "/apt/dists/training/InRelease", "/v2/", "/nothing");
    boolean ok = true;
    try (MirrorServer server = MirrorServer.start(new ServerOptions(mirror, "127.0.0.1", 0))) {
      for (String path : paths) {
        var connection = (HttpURLConnection) new URL("http://127.0.0.1:" + server.port() + path).openConnection();
        connection.setRequestProperty("Range", "bytes=0-3");
        int status = connection.getResponseCode();
        ok &= path.equals("/nothing") ? status == 404 : status < 400;
        try (var in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
          if (in != null) in.transferTo(OutputStream.nullOutputStream());
        }
        connection.disconnect();
      }
      ok &= gitRequests(server.port());
    } catch (IOException | RuntimeException e) {
      ok = false;
    }
    return new Step(List.of("serve", "GET " + String.join(" ", paths), "git upload-pack v0 and v2"), ok ? 0 : 1, 0);
  }

  /** The requests of a git clone, protocol v0 and v2 (advertisement, ls-refs, fetch of the tip); true when all answered 200. */
  private static boolean gitRequests(int port) throws IOException {
    String base = "http://127.0.0.1:" + port + "/git/training-repo.git/";
    String tip = null;
    boolean ok = true;
    for (String version : List.of("0", "2")) {
      var adv = (HttpURLConnection) new URL(base + "info/refs?service=git-upload-pack").openConnection();
      if (version.equals("2")) adv.setRequestProperty("Git-Protocol", "version=2");
      ok &= adv.getResponseCode() == 200;
      String body = new String(adv.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      if (version.equals("0")) {
        int at = body.indexOf(" refs/heads/main");
        if (at >= 40) tip = body.substring(at - 40, at);
      }
      adv.disconnect();
    }
    if (tip == null) return false;
    List<String> requests = List.of(pkt("want " + tip + " ofs-delta side-band-64k") + "0000" + pkt("done"),
        pkt("command=ls-refs") + "0000",
        pkt("command=fetch") + "0001" + pkt("ofs-delta") + pkt("want " + tip) + pkt("deepen 1") + pkt("done") + "0000");
    for (int i = 0; i < requests.size(); i++) {
      var post = (HttpURLConnection) new URL(base + "git-upload-pack").openConnection();
      post.setRequestMethod("POST");
      post.setDoOutput(true);
      post.setRequestProperty("Content-Type", "application/x-git-upload-pack-request");
      if (i > 0) post.setRequestProperty("Git-Protocol", "version=2");
      post.getOutputStream().write(requests.get(i).getBytes(StandardCharsets.ISO_8859_1));
      ok &= post.getResponseCode() == 200;
      post.getInputStream().transferTo(OutputStream.nullOutputStream());
      post.disconnect();
    }
    return ok;
  }

  private static String pkt(String line) {
    return String.format("%04x%s\n", line.length() + 5, line);
  }

  /** Commits {@code content} as README in the repository at {@code dir} (created on first use), with JGit. */
  private static void gitCommit(Path dir, String content) throws IOException {
    try (Git git = Files.isDirectory(dir.resolve(".git")) ? Git.open(dir.toFile()) : Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
      Files.writeString(dir.resolve("README"), content);
      git.add().addFilepattern("README").call();
      PersonIdent who = new PersonIdent("airgap", "training@example.invalid", Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
      git.commit().setMessage("training").setAuthor(who).setCommitter(who).setSign(false).call();
    } catch (GitAPIException e) {
      throw new IOException("training repository: " + e.getMessage(), e);
    }
  }

  private static Step run(int expectedExitCode, String... args) {
    PrintWriter discard = new PrintWriter(Writer.nullWriter());
    PrintWriter err = Trace.enabled() ? new PrintWriter(System.err, true) : discard;
    return new Step(List.of(args), Main.run(args, discard, err), expectedExitCode);
  }

  /** A minimal Debian binary package: debian-binary, control.tar.gz and data.tar.gz in an ar archive. */
  private static Path writeDeb(Path dir) throws IOException {
    Files.createDirectories(dir);
    byte[] control = tarGz("./control", ("Package: airgap-training\nVersion: 1.0\nArchitecture: all\n"
        + "Maintainer: airgap <training@example.invalid>\nDescription: start-up training package\n").getBytes(StandardCharsets.UTF_8));
    byte[] data = tarGz("./usr/share/doc/airgap-training/README", "training\n".getBytes(StandardCharsets.UTF_8));
    Path deb = dir.resolve("airgap-training_1.0_all.deb");
    try (OutputStream out = Files.newOutputStream(deb); ArArchiveOutputStream ar = new ArArchiveOutputStream(out)) {
      for (var member : List.of(
          new Object[] {"debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII)},
          new Object[] {"control.tar.gz", control},
          new Object[] {"data.tar.gz", data})) {
        byte[] bytes = (byte[]) member[1];
        ar.putArchiveEntry(new ArArchiveEntry((String) member[0], bytes.length, 0, 0, 0100644, 1_700_000_000L));
        ar.write(bytes);
        ar.closeArchiveEntry();
      }
    }
    return deb;
  }

  private static byte[] tarGz(String name, byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
      TarArchiveEntry e = new TarArchiveEntry(name);
      e.setSize(content.length);
      tar.putArchiveEntry(e);
      tar.write(content);
      tar.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  /** A pure-Python wheel with the three .dist-info files pip and airgap read. */
  private static Path writeWheel(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path wheel = dir.resolve("airgap_training-1.0-py3-none-any.whl");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(wheel))) {
      String info = "airgap_training-1.0.dist-info/";
      String[][] entries = {
        {"airgap_training/__init__.py", ""},
        {info + "METADATA", "Metadata-Version: 2.1\nName: airgap-training\nVersion: 1.0\nLicense: MIT\n"},
        {info + "WHEEL", "Wheel-Version: 1.0\nGenerator: airgap\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
        {info + "RECORD", ""},
      };
      for (String[] e : entries) {
        zip.putNextEntry(new ZipEntry(e[0]));
        zip.write(e[1].getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return dir;
  }
}
