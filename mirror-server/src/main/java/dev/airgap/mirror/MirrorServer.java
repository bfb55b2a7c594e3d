package dev.airgap.mirror;

import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.mirror.MirrorLayout;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.servlet.SubmitOrder;
import io.javalin.http.servlet.Task;
import io.javalin.util.JavalinLogger;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import kotlin.Unit;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;

/**
 * {@code airgap serve}: a read-only HTTP mirror of the published generation (docs/mirror-http.md).
 * Serves GET and HEAD only, from the generation {@code current} points to when each request
 * arrives, through the routes it was given; never opens an outbound connection.
 */
public final class MirrorServer implements AutoCloseable {
  /** How long a connection may sit without a byte moving before Jetty closes it. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * RFC 3986 strict, except that an encoded {@code %} ({@code %25}) is allowed: logical paths may
   * contain {@code %}, and routes decode exactly once, so {@code %252e} stays the text {@code %2e}.
   * Everything else ambiguous ({@code %2f}, encoded dot segments, {@code //}, {@code %5c},
   * {@code %00}, UTF-16 escapes) Jetty refuses with 400 before a route sees it; the routes' own
   * strict decoding is the second line.
   */
  static final UriCompliance URI_COMPLIANCE = UriCompliance.DEFAULT.with("AIRGAP", UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING);

  private final Javalin app;

  private MirrorServer(Javalin app) {
    this.app = app;
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

  public static MirrorServer start(ServerOptions options, List<MirrorRoute> routes) {
    return start(options, routes, DEFAULT_IDLE_TIMEOUT);
  }

  /**
   * Starts listening. Throws {@link UsageException} when the mirror directory does not exist and
   * {@link EnvironmentException} when the address cannot be bound (in use, not local, no permission).
   */
  @SuppressWarnings("unchecked") // requestLifeCycle is a generic varargs method
  static MirrorServer start(ServerOptions options, List<MirrorRoute> routes, Duration idleTimeout) {
    if (!Files.isDirectory(options.mirrorRoot())) {
      throw new UsageException("mirror directory " + options.mirrorRoot() + " does not exist");
    }
    quietLogging();
    MirrorHandler handler = new MirrorHandler(new Generations(new MirrorLayout(options.mirrorRoot())), routes);
    Javalin app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.startup.startupWatcherEnabled = false;
      config.http.compressionStrategy = CompressionStrategy.NONE;
      config.http.generateEtags = false;
      config.jetty.modifyServer(server -> server.setErrorHandler(new PlainErrorHandler()));
      config.jetty.modifyHttpConfiguration(http -> {
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setSendDateHeader(true);
        http.setUriCompliance(URI_COMPLIANCE);
      });
      config.jetty.addConnector((server, http) -> {
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(options.bindAddress());
        connector.setPort(options.port());
        connector.setIdleTimeout(idleTimeout.toMillis());
        return connector;
      });
      // Every request, whatever its method or path, goes to the one handler: no Javalin routing,
      // static files, 404/405 pages or exception mapping are involved.
      config.requestLifeCycle((submitTask, servlet, ctx, requestUri) -> submitTask.invoke(SubmitOrder.LAST, new Task(false, () -> {
        handler.handle(ctx.req(), ctx.res());
        return Unit.INSTANCE;
      })));
    });
    try {
      app.start();
    } catch (RuntimeException e) {
      try {
        app.stop();
      } catch (RuntimeException ignored) {
        // already failed to start: nothing more to release
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new EnvironmentException("cannot listen on " + options.bindAddress() + ":" + options.port() + ": " + cause.getMessage(), e);
    }
    return new MirrorServer(app);
  }

  /** The port the server listens on (the chosen one when the options asked for 0). */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  /** No banner and no per-request or startup chatter unless the user asked for it with -D. */
  private static void quietLogging() {
    // Before the first Javalin or Jetty logger is created: slf4j-simple reads levels then.
    setIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.io.javalin", "warn");
    JavalinLogger.startupInfo = false;
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) System.setProperty(key, value);
  }
}
