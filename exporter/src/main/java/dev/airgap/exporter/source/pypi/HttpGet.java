package dev.airgap.exporter.source.pypi;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One HTTP GET with the JDK's blocking client, redirects followed as {@code HttpClient.Redirect.NORMAL}
 * does (at most 5, never from https to http), no proxy. Idle HTTP/1.1 connections are reused when a
 * body was read to its end before {@link #close()}.
 *
 * <p>Why not {@code java.net.http.HttpClient}: in Java 17 it cannot be closed, and its selector
 * thread waits in native {@code epoll} until the client is collected, which makes the JVM's exit wait
 * 300 ms for it; its start-up (SSL context, some hundred classes) also costs more than the blocking
 * client, and the export's I/O pool does blocking I/O anyway.
 */
final class HttpGet implements AutoCloseable {
  private static final int MAX_REDIRECTS = 5;
  private static final int CONNECT_TIMEOUT_MS = 30_000;
  private static final int READ_TIMEOUT_MS = 120_000;

  private final HttpURLConnection connection;
  private final URI uri;
  private final int status;
  private InputStream body;

  private HttpGet(HttpURLConnection connection, URI uri, int status) {
    this.connection = connection;
    this.uri = uri;
    this.status = status;
  }

  /** Sends the request; {@code accept} null means any type. */
  static HttpGet open(URI url, String accept) throws IOException {
    URI current = url;
    for (int hop = 0; ; hop++) {
      HttpURLConnection c = (HttpURLConnection) current.toURL().openConnection(Proxy.NO_PROXY);
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setConnectTimeout(CONNECT_TIMEOUT_MS);
      c.setReadTimeout(READ_TIMEOUT_MS);
      c.setRequestProperty("Accept", accept == null ? "*/*" : accept);
      int status = c.getResponseCode();
      String location = c.getHeaderField("Location");
      if (!isRedirect(status) || location == null) return new HttpGet(c, current, status);
      URI next;
      try {
        next = current.resolve(new URI(location.strip()));
      } catch (URISyntaxException e) {
        throw new IOException("redirect to an invalid location '" + location + "'");
      }
      String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
      // as HttpClient.Redirect.NORMAL: not followed from https to http (nor to other schemes); the 3xx is the answer
      boolean follow = scheme.equals("https") || (scheme.equals("http") && current.getScheme().equalsIgnoreCase("http"));
      if (!follow) return new HttpGet(c, current, status);
      discard(c);
      if (hop == MAX_REDIRECTS) throw new IOException("more than " + MAX_REDIRECTS + " redirects");
      current = next;
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  int status() {
    return status;
  }

  /** The URI that answered, after redirects (relative links resolve against it). */
  URI uri() {
    return uri;
  }

  String contentType() {
    return connection.getContentType();
  }

  /** The declared length, or 0 when none. */
  long contentLength() {
    return Math.max(0, connection.getContentLengthLong());
  }

  /** The body of a 2xx answer (closed by {@link #close()}). */
  InputStream body() throws IOException {
    if (body == null) body = connection.getInputStream();
    return body;
  }

  @Override
  public void close() {
    if (body == null) {
      discard(connection);
      return;
    }
    try {
      body.close();
    } catch (IOException e) {
      connection.disconnect();
    }
  }

  /** Closes the body (the JDK reads a small remainder first, so that the connection can be reused). */
  private static void discard(HttpURLConnection c) {
    try {
      InputStream in = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream();
      if (in != null) in.close();
    } catch (IOException | RuntimeException e) {
      c.disconnect();
    }
  }
}
