package dev.airgap.mirror.git;

import dev.airgap.core.git.JGitSandbox;
import dev.airgap.core.mirror.git.GitIndex;
import dev.airgap.mirror.GenerationView;
import dev.airgap.mirror.MirrorPaths;
import dev.airgap.mirror.MirrorRoute;
import dev.airgap.mirror.Reply;
import dev.airgap.mirror.RouteRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.eclipse.jgit.errors.PackProtocolException;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.ServiceMayNotContinueException;
import org.eclipse.jgit.transport.TransferConfig;
import org.eclipse.jgit.transport.UploadPack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /git/<name>.git/...}: the published bare repositories over git smart HTTP, fetch only
 * (docs/git.md). {@code info/refs?service=git-upload-pack} and {@code POST git-upload-pack} speak
 * protocol v0 and, when the client sends {@code Git-Protocol: version=2}, v2, through JGit's
 * {@link UploadPack}, which only reads. Anything that would push answers 403. {@code info/refs}
 * without a service and {@code HEAD} give the plain ref listing and default branch.
 */
public final class GitRoute implements MirrorRoute {
  static final String UPLOAD_PACK = "git-upload-pack";
  static final String RECEIVE_PACK = "git-receive-pack";
  static final String ADVERTISEMENT_TYPE = "application/x-git-upload-pack-advertisement";
  static final String RESULT_TYPE = "application/x-git-upload-pack-result";
  static final String REQUEST_TYPE = "application/x-git-upload-pack-request";
  /** Bound on an upload-pack request body (wants, haves, options), decoded. */
  static final int MAX_REQUEST_BYTES = 16 << 20;
  /** Longest message of an ERR pkt-line the route writes. */
  static final int MAX_ERROR_CHARS = 1000;
  static final List<String> V0_EXTRA_CAPABILITIES = List.of("deepen-since", "deepen-not", "deepen-relative");
  /**
   * What upload-pack allows, fixed in code (the published repository's config is not consulted):
   * protocol v2, partial clone filters, and wants of any object reachable from the refs (a partial
   * clone fetches missing blobs by id); never an unreachable object.
   */
  private static final TransferConfig TRANSFER_CONFIG = transferConfig();
  private static final Logger LOG = LoggerFactory.getLogger(GitRoute.class);

  private final OpenRepositories repositories = new OpenRepositories();

  public GitRoute() {
    JGitSandbox.install();
  }

  @Override
  public String prefix() {
    return GitIndex.DIRECTORY;
  }

  @Override
  public Set<String> extraMethods() {
    return Set.of("POST");
  }

  @Override
  public Reply reply(GenerationView generation, RouteRequest request) throws IOException {
    String path = MirrorPaths.decodePath(request.path());
    if (path == null) return notFound(request);
    int slash = path.indexOf('/');
    if (slash < 0 || !path.substring(0, slash).endsWith(".git")) return notFound(request);
    String name = path.substring(0, slash - ".git".length());
    String rest = path.substring(slash + 1);
    if (!GitIndex.validName(name)) return notFound(request);
    Optional<GitIndex.Repo> repo = generation.memo("git/index.json", v -> GitIndex.read(v.directory())).lookup(name);
    if (repo.isEmpty()) return notFound(request);
    boolean post = "POST".equals(request.method());
    Path dir = GitIndex.repoDir(generation.directory(), name);
    switch (rest) {
      case "info/refs": {
        if (post) return methodNotAllowed(request);
        String service = service(request.rawQuery());
        if (service == null) return dumbRefs(repo.get());
        if (service.equals(UPLOAD_PACK)) return advertise(dir, request);
        return readOnly();
      }
      case UPLOAD_PACK:
        return post ? uploadPack(dir, request) : methodNotAllowed(request);
      case RECEIVE_PACK:
        return readOnly();
      case "HEAD":
        return post ? methodNotAllowed(request) : Reply.text(200, "ref: " + repo.get().head() + "\n");
      default:
        return notFound(request);
    }
  }

  /** The {@code service} of {@code info/refs}: null when absent, "" when not one git knows. */
  static String service(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) return null;
    String found = null;
    for (String param : rawQuery.split("&", -1)) {
      if (!param.startsWith("service=")) continue;
      if (found != null) return "";
      found = param.substring("service=".length());
    }
    if (found == null) return null;
    return found.equals(UPLOAD_PACK) || found.equals(RECEIVE_PACK) ? found : "";
  }

  private static Reply readOnly() {
    return Reply.text(403, "this mirror is read-only: push (git-receive-pack) is not allowed\n");
  }

  /** The dumb-protocol ref listing ({@code <id> TAB <ref>}), from the index. */
  private static Reply dumbRefs(GitIndex.Repo repo) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> r : repo.refs().entrySet()) b.append(r.getValue()).append('\t').append(r.getKey()).append('\n');
    return Reply.text(200, b.toString());
  }

  private Reply advertise(Path dir, RouteRequest request) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(4096);
    try (Repository repo = repositories.acquire(dir); UploadPack up = uploadPack(repo, request)) {
      RefAdvertiser adv = new RefAdvertiser.PacketLineOutRefAdvertiser(new PacketLineOut(buf));
      // Protocol v0 capabilities JGit accepts but does not advertise itself (deepen-relative is
      // translated by this route); without them git refuses --shallow-since, --shallow-exclude, --deepen.
      for (String capability : V0_EXTRA_CAPABILITIES) adv.advertiseCapability(capability);
      up.sendAdvertisedRefs(adv, UPLOAD_PACK);
    } catch (ServiceMayNotContinueException e) {
      return Reply.text(500, "internal error\n");
    }
    return Reply.fixed(200, ADVERTISEMENT_TYPE, buf.toByteArray());
  }

  private Reply uploadPack(Path dir, RouteRequest request) throws IOException {
    String contentType = request.header("Content-Type");
    if (contentType == null || !contentType.equals(REQUEST_TYPE)) return Reply.text(415, "expected " + REQUEST_TYPE + "\n");
    // The whole request first (bounded): under v2 a client waits for the response only after
    // sending all of it, and UploadPack must not read from a socket it shares with its output.
    byte[] body;
    try {
      body = requestBody(request);
    } catch (ZipException | EOFException e) {
      return Reply.text(400, "malformed gzip request body\n");
    }
    if (body == null) return Reply.text(415, "unsupported Content-Encoding\n");
    UploadPackRequest parsed;
    try {
      parsed = UploadPackRequest.parse(body);
    } catch (UploadPackRequest.Malformed e) {
      return Reply.text(400, "malformed git request: " + e.getMessage() + "\n");
    }
    Repository repo = repositories.acquire(dir);
    UploadPack up;
    byte[] input;
    try {
      input = parsed.deepenRelative() ? parsed.withAbsoluteDepth(repo).encode() : body;
      up = uploadPack(repo, request);
    } catch (IOException | RuntimeException e) {
      repo.close();
      throw e;
    }
    return Reply.stream(200, RESULT_TYPE, out -> {
      WatchedInput in = new WatchedInput(input);
      try (repo; up) {
        up.uploadWithExceptionPropagation(in, out, null);
      } catch (ServiceMayNotContinueException e) {
        if (!e.isOutput() && e.getMessage() != null) refuse(out, e.getMessage(), e);
        else LOG.debug("upload-pack refused a request: {}", e.getMessage());
      } catch (PackProtocolException | IllegalArgumentException e) {
        // The client's request (an unknown or unreachable want, a bad object id or number, an
        // unknown command or argument): git's own answer, an ERR pkt-line in a 200 response.
        refuse(out, e.getMessage(), e);
      } catch (EOFException e) {
        if (!in.exhausted()) throw e;
        // A stateless v0 request for shallow boundaries only (wants, deepen-since or deepen-not,
        // flush; no haves) is answered and then ends: JGit expects that end after "deepen N" only.
        if (parsed.v0Deepening()) return;
        refuse(out, "request ended early", e); // framing was fine, but a section was not terminated
      }
    });
  }

  /**
   * Answers a request upload-pack rejected with an {@code ERR} pkt-line. Also after part of the
   * response went out (JGit acknowledges haves before it checks the wants): git dies on an ERR
   * pkt-line wherever it reads pkt-lines, and inside a pack stream it fails anyway.
   */
  private static void refuse(OutputStream out, String message, Exception cause) throws IOException {
    LOG.debug("upload-pack refused a request: {}", cause.toString());
    String line = message == null || message.isBlank() ? "invalid request" : message.replaceAll("[\\r\\n]+", " ").strip();
    if (line.length() > MAX_ERROR_CHARS) line = line.substring(0, MAX_ERROR_CHARS) + "...";
    new PacketLineOut(out).writeString("ERR " + line + "\n");
  }

  /** The request body; records whether UploadPack ran out of it while reading pkt-lines (its final drain reads bytewise). */
  private static final class WatchedInput extends ByteArrayInputStream {
    private boolean ranOut;

    WatchedInput(byte[] body) {
      super(body);
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      int n = super.read(b, off, len);
      if (n < 0) ranOut = true;
      return n;
    }

    boolean exhausted() {
      return ranOut;
    }
  }

  /**
   * Stateless negotiation resends every "have" each round, so a fetch into a large clone can send
   * more than the server's default 1 MiB; the same bound as the decoded body (docs/git.md).
   */
  @Override
  public int maxRequestBodyBytes() {
    return MAX_REQUEST_BYTES;
  }

  /** The decoded request body, or null when its encoding is neither gzip nor identity. */
  private static byte[] requestBody(RouteRequest request) throws IOException {
    String encoding = request.header("Content-Encoding");
    if (encoding == null || encoding.equalsIgnoreCase("identity")) return request.readBody(MAX_REQUEST_BYTES);
    if (!encoding.equalsIgnoreCase("gzip") && !encoding.equalsIgnoreCase("x-gzip")) return null;
    try (InputStream in = new GZIPInputStream(request.body(), 8192)) {
      byte[] bytes = in.readNBytes(MAX_REQUEST_BYTES + 1);
      if (bytes.length > MAX_REQUEST_BYTES) throw new RouteRequest.BodyTooLarge(MAX_REQUEST_BYTES);
      return bytes;
    }
  }

  private static UploadPack uploadPack(Repository repo, RouteRequest request) {
    UploadPack up = new UploadPack(repo);
    up.setTransferConfig(TRANSFER_CONFIG);
    up.setBiDirectionalPipe(false);
    up.setTimeout(60);
    up.setExtraParameters(protocolParameters(request.header("Git-Protocol")));
    return up;
  }

  private static TransferConfig transferConfig() {
    Config c = new Config();
    c.setString("protocol", null, "version", "2");
    c.setBoolean("uploadpack", null, "allowFilter", true);
    c.setBoolean("uploadpack", null, "allowReachableSHA1InWant", true);
    c.setBoolean("uploadpack", null, "allowTipSHA1InWant", false);
    c.setBoolean("uploadpack", null, "allowAnySHA1InWant", false);
    return new TransferConfig(c);
  }

  /** {@code Git-Protocol: version=2:other=x} → its colon-separated parameters (bounded). */
  static List<String> protocolParameters(String header) {
    List<String> params = new ArrayList<>();
    if (header == null || header.length() > 1024) return params;
    for (String p : header.split(":")) {
      if (!p.isEmpty() && p.chars().allMatch(c -> c > 0x20 && c < 0x7f)) params.add(p);
    }
    return params;
  }
}
