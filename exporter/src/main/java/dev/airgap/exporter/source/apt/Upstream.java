package dev.airgap.exporter.source.apt;

import dev.airgap.core.Digest;
import dev.airgap.core.HashingCopy;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.exporter.source.ReadTimeoutInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;

/**
 * A Debian-format repository by URL ({@code http://}, {@code https://} or {@code file://}): small
 * metadata fetched into memory (bounded), files downloaded into the export's work directory while
 * their size and SHA-256 are checked, moved into place only when both match.
 */
final class Upstream {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** How long a response body may send nothing before the download fails (documented in docs/export-spec.md). */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
  private final URI base;
  private final HttpClient http;
  private final Duration readTimeout;

  Upstream(String url, String where) {
    this(url, where, READ_TIMEOUT);
  }

  Upstream(String url, String where, Duration readTimeout) {
    URI u;
    try {
      u = new URI(url.endsWith("/") ? url : url + "/");
    } catch (URISyntaxException e) {
      throw new UsageException(where + ": url '" + url + "' is not a URL");
    }
    String scheme = u.getScheme();
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https") || scheme.equals("file"))) {
      throw new UsageException(where + ": url '" + url + "' must be http://, https:// or file://");
    }
    this.base = u;
    this.readTimeout = readTimeout;
    // HTTP/1.1: an http:// request for HTTP/2 would carry an h2c upgrade that archives ignore. The
    // client keeps connections open between requests and opens one per concurrent download.
    this.http = scheme.equals("file") ? null
        : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  String url(String relative) {
    return base.resolve(relative).toString();
  }

  /** The bytes at {@code relative}, at most {@code max}; null when the repository has no such file. */
  byte[] fetch(String relative, int max) {
    URI uri = base.resolve(relative);
    try (InputStream in = open(uri)) {
      if (in == null) return null;
      byte[] bytes = in.readNBytes(max + 1);
      if (bytes.length > max) throw new IntegrityException(uri + ": larger than " + max + " bytes");
      return bytes;
    } catch (IOException e) {
      throw EnvironmentException.io(uri, e);
    }
  }

  /** Downloads {@code relative} to {@code target}, checking its size and SHA-256 against the signed metadata. */
  void download(String relative, Path target, long size, Digest sha256) {
    URI uri = base.resolve(relative);
    Path tmp = target.resolveSibling(target.getFileName() + ".part");
    try (InputStream in = open(uri)) {
      if (in == null) throw new EnvironmentException(uri + ": not found (404) although the signed index lists it");
      HashingCopy.Result r;
      try (OutputStream out = Files.newOutputStream(tmp)) {
        r = HashingCopy.copyAtMostOneMore(in, out, size);
      }
      if (r.size() != size) throw IntegrityException.sizeMismatch(uri.toString(), size, r.size());
      if (!r.digest().equals(sha256)) throw IntegrityException.mismatch(uri.toString(), sha256, r.digest());
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw EnvironmentException.io(uri, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the work directory is removed after the export
      }
    }
  }

  /**
   * A stream of {@code relative} for reading while it arrives; {@link Verified#finish()} reads what
   * is left and checks the size and SHA-256 against the signed metadata. Nothing read from it may
   * be used before that check passed. Null when the repository has no such file.
   */
  Verified openVerified(String relative, long size, Digest sha256) {
    URI uri = base.resolve(relative);
    InputStream in;
    try {
      in = open(uri);
    } catch (IOException e) {
      throw EnvironmentException.io(uri, e);
    }
    return in == null ? null : new Verified(in, uri.toString(), size, sha256);
  }

  /** A download checked at its end: more bytes than declared fail at once, a wrong digest at {@link #finish()}. */
  static final class Verified extends InputStream {
    private final InputStream in;
    private final String url;
    private final long size;
    private final Digest sha256;
    private final MessageDigest digest = Digest.newMessageDigest();
    private long read;

    private Verified(InputStream in, String url, long size, Digest sha256) {
      this.in = in;
      this.url = url;
      this.size = size;
      this.sha256 = sha256;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        digest.update(b, off, n);
        read += n;
        if (read > size) throw IntegrityException.sizeMismatch(url, size, read);
      }
      return n;
    }

    /** Reads to the end and checks size and digest. */
    void finish() throws IOException {
      byte[] rest = new byte[8192];
      while (read(rest, 0, rest.length) >= 0) {
        // counted and hashed by read
      }
      if (read != size) throw IntegrityException.sizeMismatch(url, size, read);
      Digest actual = Digest.fromRaw(digest.digest());
      if (!actual.equals(sha256)) throw IntegrityException.mismatch(url, sha256, actual);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** An open stream, or null for a missing file (404 / no such file). */
  private InputStream open(URI uri) throws IOException {
    if (http == null) {
      try {
        return Files.newInputStream(Path.of(uri));
      } catch (NoSuchFileException e) {
        return null;
      }
    }
    try {
      HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() == 404 || r.statusCode() == 410) {
        r.body().close();
        return null;
      }
      if (r.statusCode() != 200) {
        r.body().close();
        throw new EnvironmentException(uri + ": HTTP " + r.statusCode());
      }
      return new ReadTimeoutInputStream(r.body(), readTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EnvironmentException(uri + ": interrupted");
    }
  }
}
