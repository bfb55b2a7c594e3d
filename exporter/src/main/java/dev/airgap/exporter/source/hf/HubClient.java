package dev.airgap.exporter.source.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.mirror.hf.GitOids;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few calls of a Hub-compatible HTTP API that an export needs: revision → commit, the file
 * tree of a commit (following {@code Link} pages), and file downloads that resume with
 * {@code Range} after a dropped connection and are verified while they are written (SHA-256 of
 * LFS files, git blob id of the others). The token goes only to the endpoint's own origin, never
 * to a host a redirect or a page link points elsewhere.
 */
final class HubClient {
  /** Consecutive failed attempts (no new byte received) before a download gives up. */
  static final int MAX_ATTEMPTS = 5;
  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_JSON_BYTES = 64 << 20;
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

  /** One file entry of the tree listing. */
  record TreeFile(String path, long size, String oid, Digest lfsSha256) {
    boolean lfs() {
      return lfsSha256 != null;
    }
  }

  private final URI endpoint;
  private final String token;
  private final HttpClient http;

  HubClient(String endpoint, String token) {
    URI uri;
    try {
      uri = new URI(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint);
    } catch (java.net.URISyntaxException e) {
      throw new UsageException("endpoint '" + endpoint + "' is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
      throw new UsageException("endpoint '" + endpoint + "' must be an http(s) URL without user info or query");
    }
    this.endpoint = uri;
    this.token = token;
    this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(30)).build();
  }

  String endpoint() {
    return endpoint.toString();
  }

  /** {@code GET /api/{kind}s/{repo}/revision/{rev}}: the repository info at that revision (sha, cardData). */
  JsonNode revisionInfo(String kind, String repo, String revision) {
    URI url = URI.create(endpoint + "/api/" + kind + "s/" + repo + "/revision/" + encode(revision));
    return getJson(url);
  }

  /** Every file of a commit, following {@code Link: rel="next"} pages on the endpoint's origin. */
  List<TreeFile> tree(String kind, String repo, String commit) {
    List<TreeFile> files = new ArrayList<>();
    URI url = URI.create(endpoint + "/api/" + kind + "s/" + repo + "/tree/" + commit + "?recursive=true&expand=false");
    int pages = 0;
    while (url != null) {
      if (++pages > 100_000) throw IntegrityException.malformed(url.toString(), "too many tree pages");
      HttpResponse<InputStream> r = send(url, null);
      JsonNode page = readJson(url, r);
      if (!page.isArray()) throw IntegrityException.malformed(url.toString(), "tree listing is not a JSON array");
      for (JsonNode e : page) {
        if (!"file".equals(e.path("type").asText())) continue;
        files.add(treeFile(url, e));
      }
      url = nextPage(url, r.headers().firstValue("Link").orElse(null));
    }
    return files;
  }

  private static TreeFile treeFile(URI where, JsonNode e) {
    String path = e.path("path").asText(null);
    String oid = e.path("oid").asText("");
    long size = e.path("size").asLong(-1);
    if (path == null || !e.path("size").canConvertToExactIntegral() || size < 0 || !GitOids.OID.matcher(oid).matches()) {
      throw IntegrityException.malformed(where.toString(), "tree entry without a path, size or 40-hex oid: " + abbreviate(e.toString()));
    }
    JsonNode lfs = e.get("lfs");
    Digest sha256 = null;
    if (lfs != null && !lfs.isNull()) {
      String hex = lfs.path("oid").asText("");
      if (!SHA256_HEX.matcher(hex).matches() || lfs.path("size").asLong(-1) != size) {
        throw IntegrityException.malformed(where.toString(), "LFS entry '" + path + "' without a sha256 oid or with another size");
      }
      sha256 = Digest.ofHex(hex);
      if (!GitOids.lfsPointerOid(sha256, size).equals(oid)) {
        throw IntegrityException.malformed(where.toString(), "LFS entry '" + path + "': oid " + oid + " is not the pointer of sha256:" + hex);
      }
    }
    return new TreeFile(path, size, oid, sha256);
  }

  private URI nextPage(URI current, String link) {
    if (link == null) return null;
    Matcher m = NEXT_LINK.matcher(link);
    if (!m.find()) return null;
    URI next = current.resolve(m.group(1));
    if (!sameOrigin(next)) throw IntegrityException.malformed(current.toString(), "next page link leaves the endpoint's origin: " + abbreviate(next.toString()));
    return next;
  }

  /**
   * Downloads one file of {@code commit} into {@code target}, resuming with {@code Range} after a
   * dropped connection, and verifies size and hash against the tree entry. Returns the SHA-256.
   */
  Digest download(String kind, String repo, String commit, TreeFile file, Path target) {
    URI url = URI.create(endpoint + "/" + (kind.equals("dataset") ? "datasets/" : "") + repo + "/resolve/" + commit + "/" + encodePath(file.path()));
    MessageDigest sha256 = Digest.newMessageDigest();
    MessageDigest git = file.lfs() ? null : GitOids.blobDigest(file.size());
    long have = 0;
    int failures = 0;
    byte[] buf = new byte[1 << 18];
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (true) {
        long before = have;
        try {
          HttpResponse<InputStream> r = trySend(url, have > 0 ? "bytes=" + have + "-" : null);
          try (InputStream in = r.body()) {
            int status = r.statusCode();
            if (status == 200 && have > 0) { // the server ignored Range: start over
              out.truncate(0);
              out.position(0);
              sha256.reset();
              git = file.lfs() ? null : GitOids.blobDigest(file.size());
              have = 0;
              before = 0;
            } else if (status == 206) {
              String range = r.headers().firstValue("Content-Range").orElse("");
              if (have == 0 || !range.startsWith("bytes " + have + "-")) throw IntegrityException.malformed(url.toString(), "answered Range bytes=" + have + "- with Content-Range '" + abbreviate(range) + "'");
            } else if (status != 200) {
              throw httpError(url, r.statusCode(), r);
            }
            int n;
            while ((n = in.read(buf)) != -1) {
              if (have + n > file.size()) throw IntegrityException.sizeMismatch(url.toString(), file.size(), have + n);
              out.write(ByteBuffer.wrap(buf, 0, n));
              sha256.update(buf, 0, n);
              if (git != null) git.update(buf, 0, n);
              have += n;
            }
          }
          if (have == file.size()) break;
          throw new IOException("connection closed after " + have + " of " + file.size() + " bytes");
        } catch (IOException e) {
          failures = have > before ? 1 : failures + 1;
          if (failures >= MAX_ATTEMPTS) throw new EnvironmentException(url + ": download failed after " + MAX_ATTEMPTS + " attempts: " + e.getMessage(), e);
          sleep(200L * failures);
        }
      }
      out.force(false);
    } catch (IOException e) {
      throw EnvironmentException.io(target, e);
    }
    Digest got = Digest.fromRaw(sha256.digest());
    if (file.lfs()) {
      if (!got.equals(file.lfsSha256())) throw IntegrityException.mismatch(url.toString(), file.lfsSha256(), got);
    } else {
      String oid = HexFormat.of().formatHex(git.digest());
      if (!oid.equals(file.oid())) throw IntegrityException.mismatch(url + " (git blob id)", file.oid(), oid);
    }
    return got;
  }

  private JsonNode getJson(URI url) {
    return readJson(url, send(url, null));
  }

  private JsonNode readJson(URI url, HttpResponse<InputStream> r) {
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) throw httpError(url, r.statusCode(), r);
      byte[] body = in.readNBytes(MAX_JSON_BYTES + 1);
      if (body.length > MAX_JSON_BYTES) throw IntegrityException.malformed(url.toString(), "response over " + MAX_JSON_BYTES + " bytes");
      return Json.strict().readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw IntegrityException.malformed(url.toString(), "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new EnvironmentException(url + ": " + e.getMessage(), e);
    }
  }

  private static EnvironmentException httpError(URI url, int status, HttpResponse<?> r) {
    String code = r.headers().firstValue("X-Error-Code").map(HubClient::abbreviate).orElse(null);
    String hint = status == 401 || status == 403 ? " (check the token)" : "";
    return new EnvironmentException(url + ": HTTP " + status + (code != null ? " " + code : "") + hint);
  }

  private HttpResponse<InputStream> send(URI url, String range) {
    try {
      return trySend(url, range);
    } catch (IOException e) {
      throw new EnvironmentException(url + ": " + e.getMessage(), e);
    }
  }

  /** One request, following redirects itself so the token never goes to another origin. */
  private HttpResponse<InputStream> trySend(URI url, String range) throws IOException {
    URI current = url;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(current).GET().header("User-Agent", "airgap").header("Accept-Encoding", "identity");
      if (range != null) b.header("Range", range);
      if (token != null && sameOrigin(current)) b.header("Authorization", "Bearer " + token);
      HttpResponse<InputStream> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EnvironmentException(current + ": interrupted");
      }
      int s = r.statusCode();
      if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
        String location = r.headers().firstValue("Location").orElse(null);
        closeQuietly(r);
        if (location == null) throw new EnvironmentException(current + ": HTTP " + s + " without Location");
        current = current.resolve(location);
        String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) throw new EnvironmentException(url + ": redirect to a non-HTTP URL");
        continue;
      }
      return r;
    }
    throw new EnvironmentException(url + ": more than " + MAX_REDIRECTS + " redirects");
  }

  private boolean sameOrigin(URI u) {
    return endpoint.getScheme().equalsIgnoreCase(u.getScheme()) && endpoint.getHost().equalsIgnoreCase(u.getHost()) && port(endpoint) == port(u);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  private static void closeQuietly(HttpResponse<InputStream> r) {
    try {
      r.body().close();
    } catch (IOException ignored) {
      // a redirect body carries nothing we need
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EnvironmentException("interrupted while downloading");
    }
  }

  static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String encodePath(String path) {
    StringBuilder b = new StringBuilder();
    for (String s : path.split("/", -1)) {
      if (b.length() > 0) b.append('/');
      b.append(encode(s));
    }
    return b.toString();
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }
}
