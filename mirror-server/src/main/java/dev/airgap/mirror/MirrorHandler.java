package dev.airgap.mirror;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request to the mirror: method check, routing, one generation per request, and the HTTP
 * semantics of a file response (length, ETag, conditionals, one byte range, HEAD). Nothing here
 * throws to the container: failures before the response is committed become a fixed 500 (its
 * cause logged once), after it an aborted connection.
 *
 * <p>No thread waits for a client: a request body is collected as it arrives (bounded by the
 * route's maximum, a deadline and a minimum rate) before the route runs, and a file is sent one
 * {@link #CHUNK_SIZE} piece at a time, the next read when the client has taken the last one. Only
 * streamed bodies (git packs, generated while written) write blocking, at most {@link
 * ServerLimits#maxStreams()} at a time. Every write has the {@link ServerLimits#writeDeadline()}.
 */
final class MirrorHandler extends Handler.Abstract {
  static final String ALLOW = "GET, HEAD";
  static final String HEALTHZ = "/healthz";
  static final String OCI_BASE = "/v2";
  /** The first buffer for a request body; it doubles as bytes arrive, up to the route's maximum. */
  static final int INITIAL_BODY_BUFFER = 64 * 1024;
  static final String NOT_FOUND = "not found\n";
  static final String CACHE_CONTROL = "no-cache";
  static final String CSP = "default-src 'none'; sandbox";
  /** One read from a file and one write to the client: what a response holds while the client is slow. */
  static final int CHUNK_SIZE = 128 * 1024;
  /** All request bodies being collected at once, in bytes: beyond it new bodies are answered 503. */
  static final long MAX_BUFFERED_BODIES = 32L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(MirrorHandler.class);

  private final Generations generations;
  private final Map<String, MirrorRoute> routes;
  private final ServerLimits limits;
  private final Semaphore streams;
  private final AtomicLong bufferedBodyBytes = new AtomicLong();

  MirrorHandler(Generations generations, List<MirrorRoute> routeList, ServerLimits limits) {
    super(InvocationType.BLOCKING);
    Map<String, MirrorRoute> byPrefix = new LinkedHashMap<>();
    for (MirrorRoute route : routeList) {
      String prefix = route.prefix();
      if (prefix == null || !prefix.matches("[a-z0-9][a-z0-9._-]*") || prefix.equals("healthz")) {
        throw new IllegalArgumentException("bad route prefix: " + prefix);
      }
      if (byPrefix.putIfAbsent(prefix, route) != null) throw new IllegalArgumentException("two routes for /" + prefix + "/");
      if (route.maxRequestBodyBytes() < 0) throw new IllegalArgumentException("negative body limit for /" + prefix + "/");
    }
    this.generations = generations;
    this.routes = Map.copyOf(byPrefix);
    this.limits = limits;
    this.streams = new Semaphore(limits.maxStreams());
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    new Exchange(request, response, callback).begin();
    return true;
  }

  /** The Allow header for a route answering GET, HEAD and {@code extra}. */
  static String allow(Set<String> extra) {
    if (extra.isEmpty()) return ALLOW;
    return ALLOW + ", " + String.join(", ", new TreeSet<>(extra));
  }

  static void baseHeaders(Response res) {
    res.getHeaders().put("X-Content-Type-Options", "nosniff");
    res.getHeaders().put("Content-Security-Policy", CSP);
  }

  /** One request and its response; completes {@code done} exactly once. */
  private final class Exchange {
    private final Request req;
    private final Response res;
    private final Callback done;
    private final String method;
    private final boolean head;
    private final String path;
    private final AtomicBoolean completed = new AtomicBoolean();
    private long reservedBodyBytes;

    Exchange(Request req, Response res, Callback done) {
      this.req = req;
      this.res = res;
      this.done = done;
      this.method = req.getMethod();
      this.head = "HEAD".equals(method);
      this.path = req.getHttpURI().getPath();
    }

    void begin() {
      try {
        int slash = path == null || !path.startsWith("/") ? -1 : path.indexOf('/', 1);
        MirrorRoute route = slash < 0 ? null : routes.get(path.substring(1, slash));
        boolean readOnly = head || "GET".equals(method);
        if (route == null) {
          if (!readOnly) {
            sendFixed(Reply.text(405, "method not allowed\n").withHeader("Allow", ALLOW), false);
          } else if (HEALTHZ.equals(path)) {
            sendFixed(Reply.text(200, "ok\n"), head);
          } else if (OCI_BASE.equals(path) && routes.containsKey("v2")) {
            // The registry's base without its slash: registries redirect (docker-registry: 301).
            sendFixed(Reply.redirect(301, OCI_BASE + "/"), head);
          } else {
            sendFixed(Reply.NOT_FOUND, head);
          }
          return;
        }
        String rest = path.substring(slash + 1);
        if (readOnly) {
          answer(route, rest, null);
        } else if (!route.extraMethods().contains(method)) {
          send(route.methodNotAllowed(routeRequest(rest, null)), false);
        } else {
          new BodyReader(route, rest).start();
        }
      } catch (IOException | RuntimeException e) {
        internalError(e);
      }
    }

    private RouteRequest routeRequest(String rest, byte[] body) {
      InputStream in = body == null ? InputStream.nullInputStream() : new ByteArrayInputStream(body);
      return new RouteRequest(method, rest, req.getHttpURI().getQuery(), name -> req.getHeaders().getValuesList(name), in);
    }

    /** Runs the route (on a worker thread) and sends what it answers. */
    void answer(MirrorRoute route, String rest, byte[] body) {
      try {
        RouteRequest request = routeRequest(rest, body);
        Optional<GenerationView> generation = generations.current();
        Reply reply;
        if (generation.isEmpty()) {
          reply = route.notFound(request);
        } else {
          try {
            reply = route.reply(generation.get(), request);
          } catch (RouteRequest.BodyTooLarge e) {
            reply = Reply.text(413, "request body too large\n").withHeader("Connection", "close");
          }
        }
        send(reply, head);
      } catch (IOException | RuntimeException e) {
        internalError(e);
      }
    }

    void send(Reply reply, boolean headOnly) throws IOException {
      if (reply instanceof Reply.Serve s) {
        sendResource(s.resource(), headOnly);
      } else if (reply instanceof Reply.Fixed f) {
        sendFixed(f, headOnly);
      } else if (reply instanceof Reply.Streamed st) {
        sendStreamed(st, headOnly);
      }
    }

    void sendFixed(Reply.Fixed f, boolean headOnly) {
      baseHeaders(res);
      res.getHeaders().put(HttpHeader.CACHE_CONTROL, CACHE_CONTROL);
      f.headers().forEach((name, value) -> res.getHeaders().put(name, value));
      res.setStatus(f.status());
      res.getHeaders().put(HttpHeader.CONTENT_TYPE, f.mediaType());
      res.getHeaders().put(HttpHeader.CONTENT_LENGTH, f.body().length);
      ByteBuffer body = headOnly || f.body().length == 0 ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(f.body());
      res.write(true, body, withDeadline(Callback.from(this::succeed, this::fail)));
    }

    private void sendPlain(int status, String body, boolean headOnly) {
      sendFixed(Reply.text(status, body), headOnly);
    }

    void sendStreamed(Reply.Streamed st, boolean headOnly) throws IOException {
      if (!streams.tryAcquire()) {
        sendFixed(Reply.text(503, "too many responses being generated, retry shortly\n").withHeader("Retry-After", "1"), headOnly);
        return;
      }
      try {
        baseHeaders(res);
        res.getHeaders().put(HttpHeader.CACHE_CONTROL, CACHE_CONTROL);
        st.headers().forEach((name, value) -> res.getHeaders().put(name, value));
        res.setStatus(st.status());
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, st.mediaType());
        if (headOnly) {
          res.write(true, BufferUtil.EMPTY_BUFFER, withDeadline(Callback.from(this::succeed, this::fail)));
          return;
        }
        try (OutputStream out = new DeadlineOutputStream(Response.asBufferedOutputStream(req, res))) {
          st.writer().writeTo(out);
        }
        succeed();
      } catch (IOException | RuntimeException e) {
        if (!res.isCommitted()) throw e;
        LOG.debug("streamed response aborted: {}", e.toString());
        fail(e);
      } finally {
        streams.release();
      }
    }

    void sendResource(Resource resource, boolean headOnly) {
      boolean handedOver = false;
      try {
        String etag = resource.etag();
        long size = resource.size();
        baseHeaders(res);
        res.getHeaders().put(HttpHeader.ETAG, etag);
        res.getHeaders().put(HttpHeader.CACHE_CONTROL, CACHE_CONTROL);
        res.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
        resource.extraHeaders().forEach((name, value) -> res.getHeaders().put(name, value));

        List<String> ifMatch = headers("If-Match");
        if (!ifMatch.isEmpty() && !EntityTags.anyMatches(ifMatch, etag, true)) {
          sendPlain(412, "precondition failed\n", headOnly);
          return;
        }
        List<String> ifNoneMatch = headers("If-None-Match");
        if (!ifNoneMatch.isEmpty() && EntityTags.anyMatches(ifNoneMatch, etag, false)) {
          // RFC 9110 §8.6: a 304 may carry Content-Length only with the 200's value.
          res.setStatus(304);
          res.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
          res.write(true, BufferUtil.EMPTY_BUFFER, withDeadline(Callback.from(this::succeed, this::fail)));
          return;
        }

        RangeRequest range = RangeRequest.FULL;
        if (!headOnly) { // RFC 9110 §14.2: range handling is defined for GET only
          range = RangeRequest.of(headers("Range"), size);
          if (!(range instanceof RangeRequest.Full)) {
            List<String> ifRange = headers("If-Range");
            if (!ifRange.isEmpty() && (ifRange.size() != 1 || !EntityTags.ifRangeMatches(ifRange.get(0), etag))) {
              range = RangeRequest.FULL;
            }
          }
        }
        if (range instanceof RangeRequest.Unsatisfiable) {
          res.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
          sendPlain(416, "range not satisfiable\n", false);
          return;
        }
        long first = 0;
        long length = size;
        if (range instanceof RangeRequest.Partial p) {
          first = p.first();
          length = p.length();
          res.setStatus(206);
          res.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes " + p.first() + "-" + p.last() + "/" + size);
        } else {
          res.setStatus(200);
        }
        res.getHeaders().put(HttpHeader.CONTENT_TYPE, resource.mediaType());
        res.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
        if (headOnly || length == 0) {
          res.write(true, BufferUtil.EMPTY_BUFFER, withDeadline(Callback.from(this::succeed, this::fail)));
          return;
        }
        ByteBuffer inMemory = resource.inMemory(first, length);
        if (inMemory != null) {
          res.write(true, inMemory, withDeadline(Callback.from(this::succeed, this::fail)));
          return;
        }
        FileBody body = new FileBody(resource, first, length);
        handedOver = true;
        body.iterate();
      } finally {
        if (!handedOver) resource.close();
      }
    }

    List<String> headers(String name) {
      return req.getHeaders().getValuesList(name);
    }

    /** {@code callback} with the write deadline: a write the client has not taken by then closes the connection. */
    Callback withDeadline(Callback callback) {
      Scheduler.Task timer = req.getComponents().getScheduler().schedule(this::writeTimedOut, limits.writeDeadline().toMillis(), TimeUnit.MILLISECONDS);
      return Callback.from(() -> {
        timer.cancel();
        callback.succeeded();
      }, failure -> {
        timer.cancel();
        callback.failed(failure);
      });
    }

    void writeTimedOut() {
      EndPoint endPoint = req.getConnectionMetaData().getConnection().getEndPoint();
      // A reset, not a FIN after the queued bytes: the kernel drops the megabytes already in the
      // socket's send buffer at once instead of trickling them to the client that stalled.
      if (endPoint.getTransport() instanceof SocketChannel channel) {
        try {
          channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException alreadyClosed) {
          // nothing left to reset
        }
      }
      // Closing the end point fails the pending write, which ends this response and frees what it holds.
      LOG.debug("{} {}: the client did not take a response write within {}", method, loggable(path), limits.writeDeadline());
      endPoint.close(new TimeoutException("client did not take a response write within " + limits.writeDeadline()));
    }

    void succeed() {
      if (completed.compareAndSet(false, true)) {
        releaseBody();
        done.succeeded();
      }
    }

    void fail(Throwable failure) {
      if (completed.compareAndSet(false, true)) {
        releaseBody();
        done.failed(failure);
      }
    }

    private void releaseBody() {
      if (reservedBodyBytes > 0) bufferedBodyBytes.addAndGet(-reservedBodyBytes);
      reservedBodyBytes = 0;
    }

    /** A 500 for a cause on this side (damaged mirror, bug): logged once, never sent. */
    void internalError(Throwable cause) {
      LOG.error("500 for {} {}: {}", method, loggable(path), cause.toString());
      if (res.isCommitted()) {
        fail(cause);
        return;
      }
      try {
        res.reset();
        sendPlain(500, "internal error\n", false);
      } catch (RuntimeException again) {
        LOG.debug("could not send the error response: {}", again.toString());
        fail(cause);
      }
    }

    /**
     * The body of a POST, collected as it arrives without holding a thread; then {@link #answer}.
     * Over the route's maximum: 413; over {@link ServerLimits#bodyDeadline()} or slower than {@link
     * ServerLimits#minBodyRate()}: 408; both close the connection.
     */
    private final class BodyReader implements Runnable {
      private final MirrorRoute route;
      private final String rest;
      private final int max;
      private final AtomicBoolean finished = new AtomicBoolean();
      private final long startNanos = req.getHeadersNanoTime();
      private byte[] buffer = new byte[0];
      private int size;
      private volatile Scheduler.Task check;

      BodyReader(MirrorRoute route, String rest) {
        this.route = route;
        this.rest = rest;
        this.max = route.maxRequestBodyBytes();
      }

      void start() {
        long declared = req.getLength();
        if (declared > max) {
          finished.set(true);
          tooLarge();
          return;
        }
        // Grown as bytes arrive, never sized from the declaration alone: a few hundred clients each
        // declaring the maximum and sending nothing must not allocate it.
        if (declared > 0) buffer = new byte[(int) Math.min(declared, INITIAL_BODY_BUFFER)];
        check = req.getComponents().getScheduler().schedule(this::check, 1, TimeUnit.SECONDS);
        run();
      }

      @Override
      public void run() {
        while (!finished.get()) {
          Content.Chunk chunk = req.read();
          if (chunk == null) {
            req.demand(this);
            return;
          }
          if (Content.Chunk.isFailure(chunk)) {
            if (claim()) fail(chunk.getFailure());
            return;
          }
          ByteBuffer bytes = chunk.getByteBuffer();
          int n = bytes.remaining();
          if (n > max - size) {
            chunk.release();
            if (claim()) tooLarge();
            return;
          }
          if (!reserve(n)) {
            chunk.release();
            if (claim()) sendFixed(Reply.text(503, "too many request bodies in flight, retry shortly\n").withHeader("Retry-After", "1")
                .withHeader("Connection", "close"), false);
            return;
          }
          if (size + n > buffer.length) buffer = Arrays.copyOf(buffer, Math.min(max, Math.max(size + n, buffer.length * 2)));
          bytes.get(buffer, size, n);
          size += n;
          boolean last = chunk.isLast();
          chunk.release();
          if (last) {
            if (claim()) answer(route, rest, size == buffer.length ? buffer : Arrays.copyOf(buffer, size));
            return;
          }
        }
      }

      private boolean reserve(int n) {
        if (bufferedBodyBytes.addAndGet(n) > MAX_BUFFERED_BODIES) {
          bufferedBodyBytes.addAndGet(-n);
          return false;
        }
        reservedBodyBytes += n;
        return true;
      }

      /** Whether this call is the one that ends the body (only one of reader, deadline and rate check does). */
      private boolean claim() {
        if (!finished.compareAndSet(false, true)) return false;
        Scheduler.Task t = check;
        if (t != null) t.cancel();
        return true;
      }

      private void check() {
        if (finished.get()) return;
        long elapsedNanos = System.nanoTime() - startNanos;
        boolean late = elapsedNanos >= limits.bodyDeadline().toNanos();
        boolean slow = limits.minBodyRate() > 0 && elapsedNanos >= ServerLimits.BODY_RATE_GRACE.toNanos()
            && size < limits.minBodyRate() * (elapsedNanos / 1e9);
        if (late || slow) {
          if (claim()) {
            LOG.debug("request body {} for {} {}", late ? "past its deadline" : "too slow", method, loggable(path));
            sendFixed(Reply.text(408, "request timeout\n").withHeader("Connection", "close"), false);
          }
        } else {
          check = req.getComponents().getScheduler().schedule(this::check, 1, TimeUnit.SECONDS);
          if (finished.get()) check.cancel();
        }
      }

      private void tooLarge() {
        sendFixed(Reply.text(413, "request body too large\n").withHeader("Connection", "close"), false);
      }
    }

    /** Sends {@code [first, first+length)} of a file, one chunk per write, reading the next once the client took the last. */
    private final class FileBody extends IteratingCallback {
      private final Resource resource;
      private final RetainableByteBuffer chunk;
      private long position;
      private long remaining;
      private Throwable readFailure;

      FileBody(Resource resource, long first, long length) {
        this.resource = resource;
        this.position = first;
        this.remaining = length;
        this.chunk = req.getComponents().getByteBufferPool().acquire((int) Math.min(CHUNK_SIZE, length), true);
      }

      @Override
      protected Action process() throws Throwable {
        if (remaining == 0) return Action.SUCCEEDED;
        ByteBuffer b = chunk.getByteBuffer();
        b.clear();
        if (remaining < b.capacity()) b.limit((int) remaining);
        int n;
        try {
          n = resource.read(b, position);
          if (n < 0) throw new IOException("file shorter than its index entry");
        } catch (IOException | RuntimeException e) {
          readFailure = e;
          throw e;
        }
        b.flip();
        position += n;
        remaining -= n;
        res.write(remaining == 0, b, withDeadline(this));
        return Action.SCHEDULED;
      }

      @Override
      protected void onCompleteSuccess() {
        chunk.release();
        resource.close();
        succeed();
      }

      @Override
      protected void onCompleteFailure(Throwable failure) {
        chunk.release();
        resource.close();
        if (readFailure != null) {
          LOG.error("response aborted for {} {}: {}", method, loggable(path), readFailure.toString());
        } else {
          LOG.debug("response aborted: {}", failure.toString());
        }
        fail(failure);
      }
    }

    /** Each write and flush gets the write deadline: a stalled client cannot keep the thread forever. */
    private final class DeadlineOutputStream extends OutputStream {
      private final OutputStream out;

      DeadlineOutputStream(OutputStream out) {
        this.out = out;
      }

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        Scheduler.Task timer = schedule();
        try {
          out.write(b, off, len);
        } finally {
          timer.cancel();
        }
      }

      @Override
      public void flush() throws IOException {
        Scheduler.Task timer = schedule();
        try {
          out.flush();
        } finally {
          timer.cancel();
        }
      }

      @Override
      public void close() throws IOException {
        Scheduler.Task timer = schedule();
        try {
          out.close();
        } finally {
          timer.cancel();
        }
      }

      private Scheduler.Task schedule() {
        return req.getComponents().getScheduler().schedule(Exchange.this::writeTimedOut, limits.writeDeadline().toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  /** The request path for the log: printable ASCII only (it is the raw, still-encoded path), bounded. */
  static String loggable(String path) {
    if (path == null) return "-";
    StringBuilder b = new StringBuilder(Math.min(path.length(), 512));
    for (int i = 0; i < path.length() && b.length() < 512; i++) {
      char c = path.charAt(i);
      b.append(c > 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
