package dev.airgap.mirror;

import java.time.Duration;
import java.util.Objects;

/**
 * How much one client may cost the server (docs/mirror-http.md, "Limits"). Request bodies are read
 * without holding a thread, responses are written without holding a thread (except streamed git
 * packs, which are capped), and these bound what a slow, stalled or greedy client keeps open.
 *
 * @param idleTimeout a connection on which no byte moves for this long is closed
 * @param bodyDeadline a request body must have arrived completely this long after the request
 *     was received, or the answer is 408 and the connection closes
 * @param minBodyRate after the first {@link #BODY_RATE_GRACE}, a request body must arrive at
 *     least this fast (bytes per second, averaged since the request), or 408; 0 turns the check off
 * @param writeDeadline each piece of a response (at most {@link MirrorHandler#CHUNK_SIZE} bytes)
 *     must be taken by the client within this time, or the connection is closed
 * @param maxConnectionsPerClient open connections from one client address; more are answered 503
 *     and closed; 0 means no limit
 * @param maxConnections open connections in all; beyond it the server stops accepting until one
 *     closes; 0 means no limit
 * @param maxStreams responses streamed while they are generated (git packs) at the same time; more
 *     are answered 503
 * @param threads the worker thread pool's size
 */
public record ServerLimits(Duration idleTimeout, Duration bodyDeadline, long minBodyRate, Duration writeDeadline,
    int maxConnectionsPerClient, int maxConnections, int maxStreams, int threads) {
  /** How long a request body may arrive slower than {@link #minBodyRate} before that counts. */
  public static final Duration BODY_RATE_GRACE = Duration.ofSeconds(2);

  public static final ServerLimits DEFAULTS =
      new ServerLimits(Duration.ofSeconds(30), Duration.ofSeconds(20), 1024, Duration.ofSeconds(30), 64, 4096, 16, 200);

  public ServerLimits {
    positive("idleTimeout", idleTimeout);
    positive("bodyDeadline", bodyDeadline);
    positive("writeDeadline", writeDeadline);
    if (minBodyRate < 0) throw new IllegalArgumentException("minBodyRate must not be negative");
    if (maxConnectionsPerClient < 0) throw new IllegalArgumentException("maxConnectionsPerClient must not be negative");
    if (maxConnections < 0) throw new IllegalArgumentException("maxConnections must not be negative");
    if (maxStreams < 1) throw new IllegalArgumentException("maxStreams must be at least 1");
    if (threads < 8) throw new IllegalArgumentException("threads must be at least 8");
    if (maxStreams > threads - 4) throw new IllegalArgumentException("maxStreams must leave at least 4 of the " + threads + " threads free");
  }

  private static void positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
  }

  public ServerLimits withIdleTimeout(Duration d) {
    return new ServerLimits(d, bodyDeadline, minBodyRate, writeDeadline, maxConnectionsPerClient, maxConnections, maxStreams, threads);
  }

  public ServerLimits withBodyDeadline(Duration d) {
    return new ServerLimits(idleTimeout, d, minBodyRate, writeDeadline, maxConnectionsPerClient, maxConnections, maxStreams, threads);
  }

  public ServerLimits withMinBodyRate(long bytesPerSecond) {
    return new ServerLimits(idleTimeout, bodyDeadline, bytesPerSecond, writeDeadline, maxConnectionsPerClient, maxConnections, maxStreams, threads);
  }

  public ServerLimits withWriteDeadline(Duration d) {
    return new ServerLimits(idleTimeout, bodyDeadline, minBodyRate, d, maxConnectionsPerClient, maxConnections, maxStreams, threads);
  }

  public ServerLimits withMaxConnectionsPerClient(int n) {
    return new ServerLimits(idleTimeout, bodyDeadline, minBodyRate, writeDeadline, n, maxConnections, maxStreams, threads);
  }

  public ServerLimits withMaxConnections(int n) {
    return new ServerLimits(idleTimeout, bodyDeadline, minBodyRate, writeDeadline, maxConnectionsPerClient, n, maxStreams, threads);
  }

  public ServerLimits withMaxStreams(int n) {
    return new ServerLimits(idleTimeout, bodyDeadline, minBodyRate, writeDeadline, maxConnectionsPerClient, maxConnections, n, threads);
  }

  public ServerLimits withThreads(int n) {
    return new ServerLimits(idleTimeout, bodyDeadline, minBodyRate, writeDeadline, maxConnectionsPerClient, maxConnections, maxStreams, n);
  }
}
