package dev.airgap.cli;

import dev.airgap.core.error.UsageException;
import dev.airgap.mirror.MirrorServer;
import dev.airgap.mirror.ServerLimits;
import dev.airgap.mirror.ServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code airgap serve}: the read-only HTTP mirror. */
@Command(name = "serve", description = "Serve the published generation of a mirror read-only over HTTP.")
final class ServeCommand implements Callable<Integer> {
  private static final ServerLimits DEFAULTS = ServerLimits.DEFAULTS;

  @Option(names = "--mirror", required = true, description = "Mirror directory.") Path mirror;
  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).") String bind;
  @Option(names = "--port", defaultValue = "8080", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).") int port;
  @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "Close a connection on which nothing moves for this long (default 30).")
  long idleTimeout = DEFAULTS.idleTimeout().toSeconds();
  @Option(names = "--body-deadline", paramLabel = "SECONDS", description = "A request body must arrive within this time, else 408 (default 20).")
  long bodyDeadline = DEFAULTS.bodyDeadline().toSeconds();
  @Option(names = "--min-body-rate", paramLabel = "BYTES", description = "Slowest request body accepted, bytes per second (default 1024; 0: no check).")
  long minBodyRate = DEFAULTS.minBodyRate();
  @Option(names = "--write-deadline", paramLabel = "SECONDS", description = "A client must take each 128 KiB of a response within this time, else the connection closes (default 30).")
  long writeDeadline = DEFAULTS.writeDeadline().toSeconds();
  @Option(names = "--max-connections-per-client", paramLabel = "N", description = "Open connections per client address; more are answered 503 (default 64; 0: no limit).")
  int maxConnectionsPerClient = DEFAULTS.maxConnectionsPerClient();
  @Option(names = "--max-connections", paramLabel = "N", description = "Open connections in all; beyond it new ones wait (default 4096; 0: no limit).")
  int maxConnections = DEFAULTS.maxConnections();
  @Option(names = "--max-streams", paramLabel = "N", description = "Git packs generated and sent at the same time; more are answered 503 (default 16).")
  int maxStreams = DEFAULTS.maxStreams();
  @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default 200).") int threads = DEFAULTS.threads();
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    MirrorServer server = MirrorServer.start(new ServerOptions(mirror, bind, port, limits()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }));
    String host = bind.contains(":") ? "[" + bind + "]" : bind;
    spec.commandLine().getOut().printf("serving %s at http://%s:%d/%n", mirror.toAbsolutePath(), host, server.port());
    spec.commandLine().getOut().flush();
    stopped.await();
    return 0;
  }

  private ServerLimits limits() {
    // Checked here with the option names; the record's own checks (field names) are the second line.
    atLeast("--min-body-rate", minBodyRate, 0);
    atLeast("--max-connections-per-client", maxConnectionsPerClient, 0);
    atLeast("--max-connections", maxConnections, 0);
    atLeast("--max-streams", maxStreams, 1);
    atLeast("--threads", threads, 8);
    if (maxStreams > threads - 4) throw new UsageException("--max-streams " + maxStreams + " must leave at least 4 of the " + threads + " --threads free");
    try {
      return new ServerLimits(seconds("--idle-timeout", idleTimeout), seconds("--body-deadline", bodyDeadline), minBodyRate,
          seconds("--write-deadline", writeDeadline), maxConnectionsPerClient, maxConnections, maxStreams, threads);
    } catch (IllegalArgumentException e) {
      throw new UsageException("serve: " + e.getMessage());
    }
  }

  private static void atLeast(String option, long value, long min) {
    if (value < min) throw new UsageException(option + " must be at least " + min + ", not " + value);
  }

  private static Duration seconds(String option, long value) {
    if (value < 1 || value > 86_400) throw new UsageException(option + " must be between 1 and 86400 seconds, not " + value);
    return Duration.ofSeconds(value);
  }
}
