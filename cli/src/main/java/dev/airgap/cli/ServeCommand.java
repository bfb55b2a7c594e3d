package dev.airgap.cli;

import dev.airgap.mirror.MirrorServer;
import dev.airgap.mirror.ServerOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code airgap serve}: the read-only HTTP mirror. */
@Command(name = "serve", description = "Serve the published generation of a mirror read-only over HTTP.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--mirror", required = true, description = "Mirror directory.") Path mirror;
  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).") String bind;
  @Option(names = "--port", defaultValue = "8080", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).") int port;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    MirrorServer server = MirrorServer.start(new ServerOptions(mirror, bind, port));
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
}
