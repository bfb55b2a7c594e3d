package dev.airgap.mirror;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the mirror lives and where to listen. {@code port} 0 picks a free ephemeral port (read it
 * back with {@link MirrorServer#port()}). The server binds to {@code bindAddress} only.
 */
public record ServerOptions(Path mirrorRoot, String bindAddress, int port) {
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  public ServerOptions {
    Objects.requireNonNull(mirrorRoot, "mirrorRoot");
    Objects.requireNonNull(bindAddress, "bindAddress");
    if (bindAddress.isBlank()) throw new IllegalArgumentException("empty bind address");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
  }

  /** Loopback only, on the given port. */
  public static ServerOptions loopback(Path mirrorRoot, int port) {
    return new ServerOptions(mirrorRoot, DEFAULT_BIND_ADDRESS, port);
  }
}
