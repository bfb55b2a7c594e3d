package dev.airgap.mirror;

import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.mirror.MirrorLayout;
import java.net.InetAddress;
import java.nio.file.Files;
import java.util.List;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * {@code airgap serve}: a read-only HTTP mirror of the published generation (docs/mirror-http.md).
 * Serves GET and HEAD (and the few read-only POSTs some protocols need) from the generation {@code
 * current} points to when each request arrives, through the routes it was given; never opens an
 * outbound connection. Plain Jetty 12 core: one {@link MirrorHandler} answers every request, under
 * the {@link ServerLimits} of the options.
 */
public final class MirrorServer implements AutoCloseable {
  /**
   * RFC 3986 strict, except that an encoded {@code %} ({@code %25}) is allowed: logical paths may
   * contain {@code %}, and routes decode exactly once, so {@code %252e} stays the text {@code %2e}.
   * Everything else ambiguous ({@code %2f}, encoded dot segments, {@code //}, {@code %5c},
   * {@code %00}, UTF-16 escapes) Jetty refuses with 400 before a route sees it; the routes' own
   * strict decoding is the second line.
   */
  static final UriCompliance URI_COMPLIANCE = UriCompliance.DEFAULT.with("AIRGAP", UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING);

  private final Server server;
  private final ServerConnector connector;

  private MirrorServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /** Connections open from {@code client} now, as the per-client limit counts them (-1 without that limit). */
  int connectionsFrom(InetAddress client) {
    return connector.getDefaultConnectionFactory() instanceof ClientConnectionLimit limit ? limit.openFrom(client) : -1;
  }

  /** The routes of this release, one per ecosystem slice plus the bundle metadata. */
  public static List<MirrorRoute> defaultRoutes() {
    return List.of(
        new FilesRoute(),
        new BundlesRoute(),
        new dev.airgap.mirror.pypi.PypiRoute(),
        new dev.airgap.mirror.hf.HuggingFaceRoute(),
        new dev.airgap.mirror.oci.OciRoute(),
        new dev.airgap.mirror.maven.MavenRoute(),
        new dev.airgap.mirror.apt.AptRoute(),
        new dev.airgap.mirror.git.GitRoute());
  }

  public static MirrorServer start(ServerOptions options) {
    return start(options, defaultRoutes());
  }

  /**
   * Starts listening. Throws {@link UsageException} when the mirror directory does not exist and
   * {@link EnvironmentException} when the address cannot be bound (in use, not local, no permission).
   */
  public static MirrorServer start(ServerOptions options, List<MirrorRoute> routes) {
    if (!Files.isDirectory(options.mirrorRoot())) {
      throw new UsageException("mirror directory " + options.mirrorRoot() + " does not exist");
    }
    quietLogging();
    ServerLimits limits = options.limits();
    QueuedThreadPool threads = new QueuedThreadPool(limits.threads(), Math.min(8, limits.threads()));
    threads.setName("airgap-serve");
    // Pooled direct buffers up to one file chunk, so sending a file does not allocate per request.
    ArrayByteBufferPool buffers = new ArrayByteBufferPool(0, 4096, MirrorHandler.CHUNK_SIZE);
    Server server = new Server(threads, new ScheduledExecutorScheduler("airgap-serve-timer", true), buffers);
    server.setErrorHandler(new PlainErrorHandler());

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setSendDateHeader(true);
    http.setUriCompliance(URI_COMPLIANCE);
    HttpConnectionFactory h1 = limits.maxConnectionsPerClient() > 0 ? new ClientConnectionLimit(http, limits.maxConnectionsPerClient())
        : new HttpConnectionFactory(http);
    ServerConnector connector = new ServerConnector(server, h1);
    connector.setHost(options.bindAddress());
    connector.setPort(options.port());
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    server.addConnector(connector);
    if (limits.maxConnections() > 0) server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
    server.setHandler(new MirrorHandler(new Generations(new MirrorLayout(options.mirrorRoot())), routes, limits));
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception ignored) {
        // already failed to start: nothing more to release
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new EnvironmentException("cannot listen on " + options.bindAddress() + ":" + options.port() + ": " + cause.getMessage(), e);
    }
    return new MirrorServer(server, connector);
  }

  /** The port the server listens on (the chosen one when the options asked for 0). */
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the mirror server failed: " + e.getMessage(), e);
    }
  }

  /** No startup chatter from Jetty unless the user asked for it with -D. */
  private static void quietLogging() {
    // Before the first Jetty logger is created: slf4j-simple reads levels then.
    setIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) System.setProperty(key, value);
  }
}
