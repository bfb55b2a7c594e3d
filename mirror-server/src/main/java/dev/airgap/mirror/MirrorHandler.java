package dev.airgap.mirror;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request to the mirror: method check, routing, one generation per request, and the HTTP
 * semantics of a file response (length, ETag, conditionals, one byte range, HEAD). Nothing here
 * throws to the container: failures before the response is committed become a fixed 500, after
 * it an aborted connection.
 */
final class MirrorHandler {
  static final String ALLOW = "GET, HEAD";
  static final String HEALTHZ = "/healthz";
  static final String NOT_FOUND = "not found\n";
  static final String CACHE_CONTROL = "no-cache";
  static final String CSP = "default-src 'none'; sandbox";
  static final int BUFFER_SIZE = 256 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(MirrorHandler.class);
  private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[BUFFER_SIZE]);

  private final Generations generations;
  private final Map<String, MirrorRoute> routes;

  MirrorHandler(Generations generations, List<MirrorRoute> routeList) {
    Map<String, MirrorRoute> byPrefix = new LinkedHashMap<>();
    for (MirrorRoute route : routeList) {
      String prefix = route.prefix();
      if (prefix == null || !prefix.matches("[a-z0-9][a-z0-9._-]*") || prefix.equals("healthz")) {
        throw new IllegalArgumentException("bad route prefix: " + prefix);
      }
      if (byPrefix.putIfAbsent(prefix, route) != null) throw new IllegalArgumentException("two routes for /" + prefix + "/");
    }
    this.generations = generations;
    this.routes = Map.copyOf(byPrefix);
  }

  void handle(HttpServletRequest req, HttpServletResponse res) {
    try {
      serve(req, res);
    } catch (IOException e) {
      // Almost always the client going away mid-body; nothing useful to tell it.
      if (res.isCommitted()) {
        LOG.debug("response aborted: {}", e.toString());
      } else {
        internalError(res, e);
      }
    } catch (RuntimeException e) {
      if (res.isCommitted()) {
        LOG.warn("response aborted: {}", e.toString());
      } else {
        internalError(res, e);
      }
    }
  }

  private void serve(HttpServletRequest req, HttpServletResponse res) throws IOException {
    String method = req.getMethod();
    boolean head = "HEAD".equals(method);
    String uri = req.getRequestURI();
    int slash = uri == null || !uri.startsWith("/") ? -1 : uri.indexOf('/', 1);
    MirrorRoute route = slash < 0 ? null : routes.get(uri.substring(1, slash));
    boolean readOnly = head || "GET".equals(method);
    if (route == null) {
      if (!readOnly) {
        res.setHeader("Allow", ALLOW);
        plain(res, 405, "method not allowed\n", false);
      } else if (HEALTHZ.equals(uri)) {
        plain(res, 200, "ok\n", head);
      } else {
        notFound(res, head);
      }
      return;
    }
    RouteRequest request = new RouteRequest(method, uri.substring(slash + 1), req.getQueryString(), name -> headers(req, name),
        readOnly ? java.io.InputStream.nullInputStream() : req.getInputStream());
    if (!readOnly && !route.extraMethods().contains(method)) {
      reply(req, res, route.methodNotAllowed(request), false);
      return;
    }
    Optional<GenerationView> generation = generations.current();
    Reply reply;
    if (generation.isEmpty()) {
      reply = route.notFound(request);
    } else {
      try {
        reply = route.reply(generation.get(), request);
      } catch (RouteRequest.BodyTooLarge e) {
        reply = Reply.text(413, "request body too large\n");
      }
    }
    reply(req, res, reply, head);
  }

  private static void reply(HttpServletRequest req, HttpServletResponse res, Reply reply, boolean head) throws IOException {
    if (reply instanceof Reply.Serve s) {
      try (Resource r = s.resource()) {
        send(req, res, r, head);
      }
    } else if (reply instanceof Reply.Fixed f) {
      baseHeaders(res);
      res.setHeader("Cache-Control", CACHE_CONTROL);
      f.headers().forEach(res::setHeader);
      res.setStatus(f.status());
      res.setContentType(f.mediaType());
      res.setContentLengthLong(f.body().length);
      if (!head && f.body().length > 0) res.getOutputStream().write(f.body());
    } else if (reply instanceof Reply.Streamed st) {
      baseHeaders(res);
      res.setHeader("Cache-Control", CACHE_CONTROL);
      st.headers().forEach(res::setHeader);
      res.setStatus(st.status());
      res.setContentType(st.mediaType());
      if (head) return;
      OutputStream out = res.getOutputStream();
      st.writer().writeTo(out);
      out.flush();
    }
  }

  /** The Allow header for a route answering GET, HEAD and {@code extra}. */
  static String allow(java.util.Set<String> extra) {
    if (extra.isEmpty()) return ALLOW;
    return ALLOW + ", " + String.join(", ", new java.util.TreeSet<>(extra));
  }

  private static void send(HttpServletRequest req, HttpServletResponse res, Resource resource, boolean head) throws IOException {
    String etag = resource.etag();
    long size = resource.size();
    baseHeaders(res);
    res.setHeader("ETag", etag);
    res.setHeader("Cache-Control", CACHE_CONTROL);
    res.setHeader("Accept-Ranges", "bytes");
    resource.extraHeaders().forEach(res::setHeader);

    List<String> ifMatch = headers(req, "If-Match");
    if (!ifMatch.isEmpty() && !EntityTags.anyMatches(ifMatch, etag, true)) {
      plain(res, 412, "precondition failed\n", head);
      return;
    }
    List<String> ifNoneMatch = headers(req, "If-None-Match");
    if (!ifNoneMatch.isEmpty() && EntityTags.anyMatches(ifNoneMatch, etag, false)) {
      // RFC 9110 §8.6: a 304 may carry Content-Length only with the 200's value (Jetty would say 0).
      res.setStatus(304);
      res.setContentType(null);
      res.setContentLengthLong(size);
      return;
    }

    RangeRequest range = RangeRequest.FULL;
    if (!head) { // RFC 9110 §14.2: range handling is defined for GET only
      range = RangeRequest.of(headers(req, "Range"), size);
      if (!(range instanceof RangeRequest.Full)) {
        List<String> ifRange = headers(req, "If-Range");
        if (!ifRange.isEmpty() && (ifRange.size() != 1 || !EntityTags.ifRangeMatches(ifRange.get(0), etag))) {
          range = RangeRequest.FULL;
        }
      }
    }

    if (range instanceof RangeRequest.Unsatisfiable) {
      res.setHeader("Content-Range", "bytes */" + size);
      plain(res, 416, "range not satisfiable\n", false);
      return;
    }
    long first = 0;
    long length = size;
    if (range instanceof RangeRequest.Partial p) {
      first = p.first();
      length = p.length();
      res.setStatus(206);
      res.setHeader("Content-Range", "bytes " + p.first() + "-" + p.last() + "/" + size);
    } else {
      res.setStatus(200);
    }
    res.setContentType(resource.mediaType());
    res.setContentLengthLong(length);
    if (head || length == 0) return;
    OutputStream out = res.getOutputStream();
    resource.writeTo(out, first, length, BUFFERS.get());
  }

  static List<String> headers(HttpServletRequest req, String name) {
    Enumeration<String> values = req.getHeaders(name);
    return values == null || !values.hasMoreElements() ? List.of() : Collections.list(values);
  }

  private static void notFound(HttpServletResponse res, boolean head) throws IOException {
    plain(res, 404, NOT_FOUND, head);
  }

  private static void internalError(HttpServletResponse res, Exception e) {
    LOG.warn("request failed: {}", e.toString());
    try {
      res.reset();
      plain(res, 500, "internal error\n", false);
    } catch (IOException | RuntimeException again) {
      LOG.debug("could not send the error response: {}", again.toString());
    }
  }

  /** A short fixed text/plain response; the same headers for every response of one status. */
  private static void plain(HttpServletResponse res, int status, String body, boolean head) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    baseHeaders(res);
    if (res.getHeader("Cache-Control") == null) res.setHeader("Cache-Control", CACHE_CONTROL);
    res.setStatus(status);
    res.setContentType("text/plain; charset=utf-8");
    res.setContentLengthLong(bytes.length);
    if (!head) res.getOutputStream().write(bytes);
  }

  static void baseHeaders(HttpServletResponse res) {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Content-Security-Policy", CSP);
  }
}
