package dev.airgap.exporter.source.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airgap.core.Digest;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pull-only client of the OCI distribution API for one registry base URL: anonymous access, the
 * token flow a {@code WWW-Authenticate: Bearer} challenge asks for, or basic credentials from a
 * docker-style {@code auth.json}. Redirects (to blob storage) are followed by hand so that
 * credentials never go to another host.
 *
 * <p>It speaks HTTP/1.1 through {@link HttpURLConnection}, not {@code java.net.http.HttpClient}:
 * on loopback its blocking stream read 1.5–2 GB/s where the HttpClient's {@code InputStream} body
 * read 0.5–1 GB/s, and it starts without the HttpClient's ~430 classes and default TLS context
 * (bench/oci.md). Connections are kept alive and reused by the JDK.
 */
final class RegistryClient {
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("([A-Za-z]+)=\"([^\"]*)\"");
  private static final int MAX_REDIRECTS = 5;
  private static final int CONNECT_TIMEOUT_MS = 30_000;
  /** A registry silent this long (headers or mid-body) fails the export (exit 6) rather than hanging it. */
  private static final int READ_TIMEOUT_MS = 120_000;
  private static final int MAX_TOKEN_BYTES = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final Optional<String> basicCredentials;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  RegistryClient(URI base, Optional<String> basicCredentials) {
    this.base = base;
    this.basicCredentials = basicCredentials;
  }

  URI base() {
    return base;
  }

  /** One answer of the registry; closing it releases the connection (for reuse when the body was read). */
  static final class Response implements AutoCloseable {
    private final HttpURLConnection connection;
    private final int status;
    private final URI uri;

    private Response(HttpURLConnection connection, int status, URI uri) {
      this.connection = connection;
      this.status = status;
      this.uri = uri;
    }

    int status() {
      return status;
    }

    URI uri() {
      return uri;
    }

    Optional<String> header(String name) {
      return Optional.ofNullable(connection.getHeaderField(name));
    }

    /** The announced body length, or -1. */
    long contentLength() {
      return connection.getContentLengthLong();
    }

    /** The body (of an error answer too; empty when there is none). */
    InputStream body() throws IOException {
      if (status < 400) return connection.getInputStream();
      InputStream err = connection.getErrorStream();
      return err != null ? err : InputStream.nullInputStream();
    }

    @Override
    public void close() {
      try {
        body().close();
      } catch (IOException e) {
        connection.disconnect();
      }
    }

    /** Drops the connection instead of reading the rest of the body. */
    void abort() {
      connection.disconnect();
    }
  }

  /** GET {@code /v2/<repository>/<path>}, authenticating as the registry asks; the caller closes the response. */
  Response get(String repository, String path, List<String> accept) {
    URI uri = base.resolve("/v2/" + repository + "/" + path);
    String scope = "repository:" + repository + ":pull";
    Response r = send(uri, accept, authorization(scope));
    if (r.status() == 401) {
      String challenge = r.header("WWW-Authenticate").orElse("");
      r.close();
      String auth = authenticate(challenge, scope, uri);
      tokens.put(scope, auth);
      r = send(uri, accept, Optional.of(auth));
      if (r.status() == 401) {
        r.close();
        throw new EnvironmentException(uri + ": access denied (401) even after authenticating" + (basicCredentials.isEmpty() ? "; no credentials configured (auth:)" : ""));
      }
    }
    return r;
  }

  /**
   * Opens {@code /v2/<repository>/blobs/<digest>} as a stream for the bundle writer. The stream
   * fails with an {@link IOException} when the connection ends before {@code size} bytes, and with
   * an {@link IntegrityException} when the registry announces or sends another length than the
   * descriptor's {@code size}; the writer checks the digest.
   */
  InputStream openBlob(String repository, Digest digest, long size) {
    Response r = get(repository, "blobs/" + digest, List.of());
    if (r.status() != 200) {
      r.abort();
      throw new EnvironmentException(r.uri() + ": registry answered " + r.status());
    }
    if (r.contentLength() >= 0 && r.contentLength() != size) {
      r.abort();
      throw IntegrityException.sizeMismatch(r.uri() + " (Content-Length)", size, r.contentLength());
    }
    try {
      return new ExactLengthInput(r.body(), size, r.uri());
    } catch (IOException e) {
      r.abort();
      throw EnvironmentException.io(r.uri(), e);
    }
  }

  private Optional<String> authorization(String scope) {
    return Optional.ofNullable(tokens.get(scope));
  }

  /** Sends a GET, following redirects by hand; credentials go to the registry's own origin only. */
  private Response send(URI uri, List<String> accept, Optional<String> authorization) {
    URI current = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpURLConnection c = connection(current);
      if (!accept.isEmpty()) c.setRequestProperty("Accept", String.join(", ", accept));
      if (authorization.isPresent() && sameOrigin(current, uri)) c.setRequestProperty("Authorization", authorization.get());
      int status;
      try {
        status = c.getResponseCode();
      } catch (IOException e) {
        c.disconnect();
        throw EnvironmentException.io(current, e);
      }
      Response r = new Response(c, status, current);
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        Optional<String> location = r.header("Location");
        r.close();
        if (location.isEmpty()) throw new EnvironmentException(current + ": redirect without Location");
        current = current.resolve(location.get());
        if (!current.getScheme().equals("http") && !current.getScheme().equals("https")) throw new EnvironmentException(uri + ": redirect to a non-HTTP URL");
        continue;
      }
      return r;
    }
    throw new EnvironmentException(uri + ": more than " + MAX_REDIRECTS + " redirects");
  }

  private static HttpURLConnection connection(URI uri) {
    try {
      // No proxy: the registry URL in the spec is the one to reach.
      HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setConnectTimeout(CONNECT_TIMEOUT_MS);
      c.setReadTimeout(READ_TIMEOUT_MS);
      return c;
    } catch (IOException | IllegalArgumentException e) {
      throw new EnvironmentException(uri + ": cannot open: " + e.getMessage());
    }
  }

  /** Answers a 401 challenge: a bearer token from the realm it names, or basic credentials. */
  private String authenticate(String challenge, String scope, URI uri) {
    String scheme = challenge.split(" ", 2)[0].toLowerCase(Locale.ROOT);
    if (scheme.equals("basic")) {
      return basicCredentials.map(c -> "Basic " + c).orElseThrow(() -> new EnvironmentException(uri + ": registry asks for basic credentials; none configured (auth:)"));
    }
    if (!scheme.equals("bearer")) throw new EnvironmentException(uri + ": unsupported authentication challenge '" + scheme + "'");
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(challenge);
    while (m.find()) params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
    String realm = params.get("realm");
    if (realm == null) throw new EnvironmentException(uri + ": bearer challenge without a realm");
    StringBuilder q = new StringBuilder();
    if (params.containsKey("service")) q.append("service=").append(enc(params.get("service")));
    q.append(q.length() > 0 ? "&" : "").append("scope=").append(enc(params.getOrDefault("scope", scope)));
    URI tokenUri;
    try {
      tokenUri = URI.create(realm + (realm.contains("?") ? "&" : "?") + q);
    } catch (IllegalArgumentException e) {
      throw new EnvironmentException(uri + ": bad token realm '" + realm + "'");
    }
    if (tokenUri.getScheme() == null || (!tokenUri.getScheme().equals("http") && !tokenUri.getScheme().equals("https"))) {
      throw new EnvironmentException(uri + ": token realm is not an HTTP URL");
    }
    HttpURLConnection c = connection(tokenUri);
    basicCredentials.ifPresent(cred -> c.setRequestProperty("Authorization", "Basic " + cred));
    try {
      int status = c.getResponseCode();
      Response r = new Response(c, status, tokenUri);
      byte[] body;
      try (InputStream in = r.body()) {
        if (status != 200) throw new EnvironmentException(tokenUri + ": token request answered " + status);
        body = in.readNBytes(MAX_TOKEN_BYTES + 1);
      }
      if (body.length > MAX_TOKEN_BYTES) throw new EnvironmentException(tokenUri + ": token response too large");
      JsonNode n = JSON.readTree(body);
      JsonNode token = n == null ? null : n.hasNonNull("token") ? n.get("token") : n.get("access_token");
      if (token == null || !token.isTextual() || token.asText().isBlank()) throw new EnvironmentException(tokenUri + ": token response has no token");
      return "Bearer " + token.asText();
    } catch (IOException e) {
      c.disconnect();
      throw EnvironmentException.io(tokenUri, e);
    }
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme()) && String.valueOf(a.getHost()).equalsIgnoreCase(String.valueOf(b.getHost())) && a.getPort() == b.getPort();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A blob body that must be exactly {@code size} bytes long. */
  private static final class ExactLengthInput extends FilterInputStream {
    private final long size;
    private final URI uri;
    private long read;

    ExactLengthInput(InputStream in, long size, URI uri) {
      super(in);
      this.size = size;
      this.uri = uri;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) return 0;
      // Ask for one byte past the end, so that a registry sending more than promised is caught.
      int n = super.read(b, off, (int) Math.min(len, size - read + 1));
      if (n < 0) {
        if (read < size) throw new IOException("connection ended after " + read + " of " + size + " bytes");
        return -1;
      }
      read += n;
      if (read > size) throw IntegrityException.malformed(uri.toString(), "registry sent more than the descriptor's " + size + " bytes");
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      throw new IOException("skip not supported");
    }
  }
}
