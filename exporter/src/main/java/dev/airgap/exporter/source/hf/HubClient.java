package dev.airgap.exporter.source.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.mirror.hf.GitOids;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
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
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few calls of a Hub-compatible HTTP API that an export needs: revision → commit, the file
 * tree of a commit (following {@code Link} pages), and file downloads that resume with
 * {@code Range} after a dropped connection and are verified while they are written (SHA-256 of
 * LFS files, git blob id of the others). The token goes only to the endpoint's own origin, never
 * to a host a redirect or a page link points elsewhere.
 *
 * <p>No read waits forever: every socket read (the answer's head and each body read) gives up
 * after the read timeout without a byte, and a metadata request (revision info, refs, a tree
 * page) must be answered completely within the request timeout. A download has no total limit
 * (a large file may take hours); a stalled one is retried like a dropped one. It speaks HTTP/1.1
 * through {@link HttpURLConnection}, whose socket read timeout is exactly the inactivity limit.
 */
final class HubClient {
  /** Consecutive failed attempts (no new byte received) before a download gives up. */
  static final int MAX_ATTEMPTS = 5;
  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_JSON_BYTES = 64 << 20;
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
  /** Ends metadata requests that outlive the request timeout (one daemon thread for all clients). */
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "hf-request-timeout");
    t.setDaemon(true);
    return t;
  });

  /** How long the client waits: to connect, for any byte of an answer, for a whole metadata answer. */
  record Timeouts(Duration connect, Duration read, Duration request) {
    static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120));
  }

  /** One file entry of the tree listing. */
  record TreeFile(String path, long size, String oid, Digest lfsSha256) {
    boolean lfs() {
      return lfsSha256 != null;
    }
  }

  private final URI endpoint;
  private final String token;
  private final Timeouts timeouts;

  HubClient(String endpoint, String token) {
    this(endpoint, token, Timeouts.DEFAULT);
  }

  HubClient(String endpoint, String token, Timeouts timeouts) {
    URI uri;
    try {
      uri = new URI(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint);
    } catch (URISyntaxException e) {
      throw new UsageException("endpoint '" + endpoint + "' is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
      throw new UsageException("endpoint '" + endpoint + "' must be an http(s) URL without user info or query");
    }
    this.endpoint = uri;
    this.token = token;
    this.timeouts = timeouts;
  }

  String endpoint() {
    return endpoint.toString();
  }

  /** {@code GET /api/{kind}s/{repo}/revision/{rev}}: the repository info at that revision (sha, cardData). */
  JsonNode revisionInfo(String kind, String repo, String revision) {
    URI url = URI.create(endpoint + "/api/" + kind + "s/" + repo + "/revision/" + encode(revision));
    return getJson(url);
  }

  /**
   * {@code GET /api/{kind}s/{repo}/refs}: the branches and tags, or null where the endpoint has no
   * such call (404, 405, 501): it only tells branches from tags, which the export can do without.
   */
  JsonNode refs(String kind, String repo) {
    URI url = URI.create(endpoint + "/api/" + kind + "s/" + repo + "/refs");
    try (Response r = send(url, null, true)) {
      if (r.status == 404 || r.status == 405 || r.status == 501) return null;
      return readJson(r);
    }
  }

  /** Every file of a commit, following {@code Link: rel="next"} pages on the endpoint's origin. */
  List<TreeFile> tree(String kind, String repo, String commit) {
    List<TreeFile> files = new ArrayList<>();
    URI url = URI.create(endpoint + "/api/" + kind + "s/" + repo + "/tree/" + commit + "?recursive=true&expand=false");
    int pages = 0;
    while (url != null) {
      if (++pages > 100_000) throw IntegrityException.malformed(url.toString(), "too many tree pages");
      JsonNode page;
      String link;
      try (Response r = send(url, null, true)) {
        page = readJson(r);
        link = r.header("Link");
      }
      if (!page.isArray()) throw IntegrityException.malformed(url.toString(), "tree listing is not a JSON array");
      for (JsonNode e : page) {
        if (!"file".equals(e.path("type").asText())) continue;
        files.add(treeFile(url, e));
      }
      url = nextPage(url, link);
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
   * dropped or stalled connection, and verifies size and hash against the tree entry. Returns the SHA-256.
   */
  Digest download(String kind, String repo, String commit, TreeFile file, Path target) {
    URI url = URI.create(endpoint + "/" + (kind.equals("dataset") ? "datasets/" : "") + repo + "/resolve/" + commit + "/" + encodePath(file.path()));
    MessageDigest sha256 = Digest.newMessageDigest();
    MessageDigest git = file.lfs() ? null : GitOids.blobDigest(file.size());
    long have = 0;
    long reached = 0; // the most bytes any attempt got: only passing it counts as progress
    int failures = 0;
    byte[] buf = new byte[1 << 18];
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (true) {
        try (Response r = trySend(url, have > 0 ? "bytes=" + have + "-" : null, false)) {
          int status = r.status;
          if (status == 200 && have > 0) { // the server ignored Range: start over
            out.truncate(0);
            out.position(0);
            sha256.reset();
            git = file.lfs() ? null : GitOids.blobDigest(file.size());
            have = 0;
          } else if (status == 206) {
            String range = Optional.ofNullable(r.header("Content-Range")).orElse("");
            if (have == 0 || !range.startsWith("bytes " + have + "-")) throw IntegrityException.malformed(url.toString(), "answered Range bytes=" + have + "- with Content-Range '" + abbreviate(range) + "'");
          } else if (status != 200) {
            throw httpError(url, r);
          }
          InputStream in = r.body();
          int n;
          while ((n = in.read(buf)) != -1) {
            if (have + n > file.size()) throw IntegrityException.sizeMismatch(url.toString(), file.size(), have + n);
            out.write(ByteBuffer.wrap(buf, 0, n));
            sha256.update(buf, 0, n);
            if (git != null) git.update(buf, 0, n);
            have += n;
          }
          if (have == file.size()) {
            r.completed();
            break;
          }
          throw new IOException("connection closed after " + have + " of " + file.size() + " bytes");
        } catch (IOException e) {
          failures = have > reached ? 1 : failures + 1; // a server that restarts and stalls at the same byte makes no progress
          reached = Math.max(reached, have);
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
    try (Response r = send(url, null, true)) {
      return readJson(r);
    }
  }

  private JsonNode readJson(Response r) {
    if (r.status != 200) throw httpError(r.url, r);
    try {
      byte[] body = r.body().readNBytes(MAX_JSON_BYTES + 1);
      if (body.length > MAX_JSON_BYTES) throw IntegrityException.malformed(r.url.toString(), "response over " + MAX_JSON_BYTES + " bytes");
      r.completed();
      return Json.strict().readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw IntegrityException.malformed(r.url.toString(), "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new EnvironmentException(r.url + ": " + e.getMessage(), e);
    }
  }

  private static EnvironmentException httpError(URI url, Response r) {
    String code = Optional.ofNullable(r.header("X-Error-Code")).map(HubClient::abbreviate).orElse(null);
    String hint = r.status == 401 || r.status == 403 ? " (check the token)" : "";
    return new EnvironmentException(url + ": HTTP " + r.status + (code != null ? " " + code : "") + hint);
  }

  private Response send(URI url, String range, boolean metadata) {
    try {
      return trySend(url, range, metadata);
    } catch (IOException e) {
      throw new EnvironmentException(url + ": " + e.getMessage(), e);
    }
  }

  /**
   * One request, following redirects itself so the token never goes to another origin. A
   * metadata request must be answered, body included, within the request timeout.
   */
  private Response trySend(URI url, String range, boolean metadata) throws IOException {
    Deadline deadline = metadata ? new Deadline(timeouts.request()) : null;
    URI current = url;
    try {
      for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
        HttpURLConnection c = (HttpURLConnection) current.toURL().openConnection(Proxy.NO_PROXY);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout(millis(timeouts.connect()));
        c.setReadTimeout(millis(timeouts.read()));
        c.setRequestProperty("User-Agent", "airgap");
        c.setRequestProperty("Accept", "*/*"); // not HttpURLConnection's default list of image types
        c.setRequestProperty("Accept-Encoding", "identity");
        if (range != null) c.setRequestProperty("Range", range);
        if (token != null && sameOrigin(current)) c.setRequestProperty("Authorization", "Bearer " + token);
        Response r = new Response(current, c, deadline);
        int s = r.status;
        if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
          String location = r.header("Location");
          r.discard(); // the deadline runs on through the next hop
          if (location == null) throw new EnvironmentException(current + ": HTTP " + s + " without Location");
          try {
            current = current.resolve(new URI(location.strip()));
          } catch (URISyntaxException e) {
            throw new EnvironmentException(current + ": redirect to an invalid location '" + abbreviate(location) + "'");
          }
          String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
          if (!scheme.equals("http") && !scheme.equals("https")) throw new EnvironmentException(url + ": redirect to a non-HTTP URL");
          continue;
        }
        deadline = null; // the response owns it now
        return r;
      }
    } finally {
      if (deadline != null) deadline.cancel();
    }
    throw new EnvironmentException(url + ": more than " + MAX_REDIRECTS + " redirects");
  }

  /** The request timeout of one metadata request: disconnects whatever connection is current when it expires. */
  private static final class Deadline {
    private final Duration limit;
    private final AtomicBoolean expired = new AtomicBoolean();
    private final ScheduledFuture<?> task;
    private volatile HttpURLConnection current;

    Deadline(Duration limit) {
      this.limit = limit;
      this.task = WATCHDOG.schedule(() -> {
        expired.set(true);
        HttpURLConnection c = current;
        if (c != null) disconnect(c);
      }, limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    void watch(HttpURLConnection c) {
      current = c;
      if (expired.get()) disconnect(c);
    }

    /**
     * Closes the connection from another thread, so that a read blocked on its socket fails at
     * once. On a thread of its own: while a body read holds the stream's lock the close waits for
     * it, and the watchdog must not (the reader itself also stops at its next read).
     */
    private static void disconnect(HttpURLConnection c) {
      Thread t = new Thread(c::disconnect, "hf-request-timeout-close");
      t.setDaemon(true);
      t.start();
    }

    void cancel() {
      task.cancel(false);
    }
  }

  /** An answer: status, headers and body, with timeouts reported as such. Closing it cancels its deadline. */
  private final class Response implements AutoCloseable {
    final URI url;
    final int status;
    private final HttpURLConnection connection;
    private final Deadline deadline;
    private InputStream body;
    private boolean complete;

    Response(URI url, HttpURLConnection connection, Deadline deadline) throws IOException {
      this.url = url;
      this.connection = connection;
      this.deadline = deadline;
      if (deadline != null) deadline.watch(connection);
      try {
        try {
          connection.connect();
        } catch (SocketTimeoutException e) {
          throw new SocketTimeoutException("no connection within " + seconds(timeouts.connect()) + " (connect timeout)");
        }
        status = guarded(connection::getResponseCode);
      } catch (IOException | RuntimeException e) {
        connection.disconnect();
        throw e;
      }
    }

    String header(String name) {
      return connection.getHeaderField(name);
    }

    /** The body, whatever the status (empty where there is none). */
    InputStream body() throws IOException {
      if (body == null) {
        InputStream raw = status >= 400 ? connection.getErrorStream() : guarded(connection::getInputStream);
        body = new FilterInputStream(raw == null ? InputStream.nullInputStream() : raw) {
          @Override
          public int read() throws IOException {
            return guarded(super::read);
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return guarded(() -> super.read(b, off, len));
          }
        };
      }
      return body;
    }

    /** The body was read to its end: the connection may be kept for the next request. */
    void completed() {
      complete = true;
    }

    private <T> T guarded(IoCall<T> call) throws IOException {
      if (expired()) throw requestTimeout();
      try {
        return call.call();
      } catch (IOException e) {
        if (expired()) throw requestTimeout();
        if (e instanceof SocketTimeoutException) throw new SocketTimeoutException("no data for " + seconds(timeouts.read()) + " (read timeout)");
        throw e;
      }
    }

    private boolean expired() {
      return deadline != null && deadline.expired.get();
    }

    private SocketTimeoutException requestTimeout() {
      return new SocketTimeoutException("no complete answer within " + seconds(deadline.limit) + " (request timeout)");
    }

    /** Drops the connection, leaving the deadline to the request's next hop. */
    void discard() {
      connection.disconnect();
    }

    @Override
    public void close() {
      if (deadline != null) deadline.cancel();
      if (!complete) {
        connection.disconnect(); // an unread or stalled body: drop the connection rather than drain it
        return;
      }
      try {
        if (body != null) body.close();
      } catch (IOException ignored) {
        // the body was read to its end; nothing is lost
      }
    }
  }

  private interface IoCall<T> {
    T call() throws IOException;
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private boolean sameOrigin(URI u) {
    return endpoint.getScheme().equalsIgnoreCase(u.getScheme()) && endpoint.getHost().equalsIgnoreCase(u.getHost()) && port(endpoint) == port(u);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
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
