package dev.airgap.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.mirror.git.GitIndex;
import java.io.ByteArrayOutputStream;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests to {@code git-upload-pack} that no git client sends: a body that is not pkt-lines
 * answers 400; a well-framed request upload-pack rejects answers 200 with git's own {@code ERR}
 * pkt-line (as git-http-backend and JGit's servlet do). Never a 500, which is reserved for a
 * damaged mirror, and the server stays healthy. The repository is a real bare repository made by
 * git.
 */
class GitProtocolErrorsTest {
  @TempDir static Path tmp;
  static MirrorServer server;
  static String main;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    MirrorFixture mirror = new MirrorFixture(tmp.resolve("mirror"));
    Path generation = mirror.generation(1, List.of(), List.of());
    Path work = tmp.resolve("work");
    git(tmp, "init", "-q", "-b", "main", work.toString());
    Files.writeString(work.resolve("a.txt"), "a\n");
    git(work, "add", "a.txt");
    git(work, "commit", "-q", "-m", "one");
    Files.writeString(work.resolve("a.txt"), "b\n");
    git(work, "commit", "-q", "-am", "two");
    git(tmp, "clone", "-q", "--bare", work.toString(), GitIndex.repoDir(generation, "demo").toString());
    main = git(work, "rev-parse", "main").strip();
    new GitIndex(Map.of("demo", new GitIndex.Repo("file:///upstream", "refs/heads/main", Map.of("refs/heads/main", main), "chan", "b1"))).write(generation);
    mirror.publish(1);
    server = MirrorServer.start(ServerOptions.loopback(mirror.root, 0));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  @Test
  void unknownWantIsGitsErrV0() throws Exception {
    HttpResponse<String> r = post(false, pkt("want 1111111111111111111111111111111111111111") + "0000" + pkt("done"));
    assertErr(r, "want 1111111111111111111111111111111111111111 not valid");
  }

  @Test
  void unknownWantIsGitsErrV2() throws Exception {
    HttpResponse<String> r = post(true, pkt("command=fetch") + "0001" + pkt("want 1111111111111111111111111111111111111111") + pkt("done") + "0000");
    assertErr(r, "want 1111111111111111111111111111111111111111 not valid");
  }

  @Test
  void badHexInWant() throws Exception {
    assertErr(post(false, pkt("want zz11111111111111111111111111111111111111") + "0000" + pkt("done")), "Invalid id: zz11111111111111111111111111111111111111");
    assertErr(post(true, pkt("command=fetch") + "0001" + pkt("have 12345") + pkt("done") + "0000"), "Invalid id: 12345");
  }

  @Test
  void bogusV2CommandAndArgument() throws Exception {
    assertErr(post(true, pkt("command=bogus") + "0000"), "unknown command command=bogus");
    assertErr(post(true, pkt("command=ls-refs") + "0001" + pkt("frobnicate") + "0000"), "unexpected frobnicate");
    assertErr(post(true, pkt("command=fetch") + "0001" + pkt("want " + main) + pkt("deepen -3") + pkt("done") + "0000"), "Invalid depth: -3");
    assertErr(post(true, pkt("command=fetch") + "0001" + pkt("want " + main) + pkt("filter frob:x") + pkt("done") + "0000"), "Invalid filter: frob:x");
    assertErr(post(false, pkt("want " + main) + pkt("deepen xx") + "0000" + pkt("done")), "For input string: \"xx\"");
  }

  @Test
  void badFramingIs400() throws Exception {
    assertBad(post(false, "zzzzwant\n0000"), "malformed git request: bad pkt-line length 'zzzz' at byte 0\n");
    assertBad(post(false, "0003"), "malformed git request: bad pkt-line length 3 at byte 0\n");
    assertBad(post(false, "0064want 11\n"), "malformed git request: pkt-line at byte 0 needs 100 bytes, the body has 12\n");
    assertBad(post(false, "hello world"), "malformed git request: bad pkt-line length 'hell' at byte 0\n");
    assertBad(post(true, pkt("command=ls-refs") + "00"), "malformed git request: truncated pkt-line length at byte 20\n");
    assertBad(post(true, pkt("command=ls-refs")), "malformed git request: request does not end with a flush-pkt or 'done'\n");
    assertBad(post(false, ""), "malformed git request: empty request\n");
  }

  @Test
  void validRequestsStillServed() throws Exception {
    HttpResponse<String> lsRefs = post(true, pkt("command=ls-refs") + "0000");
    assertEquals(200, lsRefs.statusCode());
    assertTrue(lsRefs.body().contains(main + " refs/heads/main"), lsRefs.body());
    HttpResponse<String> fetch = post(false, pkt("want " + main) + "0000" + pkt("done"));
    assertEquals(200, fetch.statusCode());
    assertTrue(fetch.body().startsWith("0008NAK\nPACK"), fetch.body());
  }

  /** Stateless negotiation resends every have: a 2 MiB request (over the server's 1 MiB default) is still served. */
  @Test
  void aLongNegotiationIsServed() throws Exception {
    StringBuilder body = new StringBuilder(pkt("want " + main)).append("0000");
    String unknown = "1".repeat(40);
    while (body.length() < 2 << 20) body.append(pkt("have " + unknown));
    HttpResponse<String> fetch = post(false, body.append(pkt("done")).toString());
    assertEquals(200, fetch.statusCode(), fetch.body());
    assertTrue(fetch.body().contains("PACK"), fetch.body());
    HttpResponse<String> tooLong = post(false, pkt("want " + main) + "0000" + pkt("have " + unknown).repeat((17 << 20) / 50) + pkt("done"));
    assertEquals(413, tooLong.statusCode());
    assertHealthy();
  }

  private static void assertErr(HttpResponse<String> r, String message) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/x-git-upload-pack-result", r.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(pkt("ERR " + message), r.body());
    assertHealthy();
  }

  private static void assertBad(HttpResponse<String> r, String body) throws Exception {
    assertEquals(400, r.statusCode(), r.body());
    assertEquals(body, r.body());
    assertHealthy();
  }

  private static void assertHealthy() throws Exception {
    assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(url("/healthz"))).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    HttpResponse<String> adv = HTTP.send(HttpRequest.newBuilder(URI.create(url("/git/demo.git/info/refs?service=git-upload-pack"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, adv.statusCode());
    assertTrue(adv.body().contains(main + " refs/heads/main"), adv.body());
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  private static HttpResponse<String> post(boolean v2, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url("/git/demo.git/git-upload-pack")))
        .header("Content-Type", "application/x-git-upload-pack-request")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.ISO_8859_1)));
    if (v2) b.header("Git-Protocol", "version=2");
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
  }

  /** A data pkt-line with a trailing LF. */
  static String pkt(String text) {
    return String.format("%04x", text.length() + 5) + text + "\n";
  }

  private static String git(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("HOME", tmp.toString());
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment().put("GIT_AUTHOR_NAME", "T");
    pb.environment().put("GIT_AUTHOR_EMAIL", "t@example.invalid");
    pb.environment().put("GIT_COMMITTER_NAME", "T");
    pb.environment().put("GIT_COMMITTER_EMAIL", "t@example.invalid");
    Process p = pb.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("git " + cmd + ": " + out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
