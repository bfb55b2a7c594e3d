package dev.airgap.mirror;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the mirror lives, where to listen, and what one client may cost (see {@link ServerLimits}).
 * {@code port} 0 picks a free ephemeral port (read it back with {@link MirrorServer#port()}). The
 * server binds to {@code bindAddress} only.
 */
public record ServerOptions(Path mirrorRoot, String bindAddress, int port, ServerLimits limits) {
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  public ServerOptions {
    Objects.requireNonNull(mirrorRoot, "mirrorRoot");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(limits, "limits");
    if (bindAddress.isBlank()) throw new IllegalArgumentException("empty bind address");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
  }

  /** With the default limits. */
  public ServerOptions(Path mirrorRoot, String bindAddress, int port) {
    this(mirrorRoot, bindAddress, port, ServerLimits.DEFAULTS);
  }

  /** Loopback only, on the given port, with the default limits. */
  public static ServerOptions loopback(Path mirrorRoot, int port) {
    return new ServerOptions(mirrorRoot, DEFAULT_BIND_ADDRESS, port);
  }

  public ServerOptions withLimits(ServerLimits newLimits) {
    return new ServerOptions(mirrorRoot, bindAddress, port, newLimits);
  }
}
