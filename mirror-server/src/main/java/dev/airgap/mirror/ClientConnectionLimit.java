package dev.airgap.mirror;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * HTTP/1.1 connections, at most {@code max} open at a time from one client address. A connection
 * beyond that gets a fixed {@code 503} with {@code Connection: close} before anything is parsed,
 * and is closed once the client has read it (or after {@link #REFUSED_LINGER_MS}).
 */
final class ClientConnectionLimit extends HttpConnectionFactory {
  /** How long a refused connection is kept so the client can read the 503 before the close. */
  static final long REFUSED_LINGER_MS = 2_000;
  static final String REFUSAL_BODY = "too many connections from this address\n";
  private static final byte[] REFUSAL = ("HTTP/1.1 503 Service Unavailable\r\n"
      + "Content-Type: text/plain; charset=utf-8\r\n"
      + "Content-Length: " + REFUSAL_BODY.length() + "\r\n"
      + "Connection: close\r\n"
      + "Retry-After: 1\r\n"
      + "Cache-Control: " + MirrorHandler.CACHE_CONTROL + "\r\n"
      + "X-Content-Type-Options: nosniff\r\n"
      + "Content-Security-Policy: " + MirrorHandler.CSP + "\r\n"
      + "\r\n" + REFUSAL_BODY).getBytes(StandardCharsets.US_ASCII);

  private final int max;
  private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

  ClientConnectionLimit(HttpConfiguration http, int max) {
    super(http);
    if (max < 1) throw new IllegalArgumentException("max must be at least 1");
    this.max = max;
  }

  @Override
  public Connection newConnection(Connector connector, EndPoint endPoint) {
    InetAddress client = address(endPoint.getRemoteSocketAddress());
    if (client == null) return super.newConnection(connector, endPoint);
    AtomicBoolean admitted = new AtomicBoolean();
    open.compute(client, (a, n) -> {
      int count = n == null ? 0 : n;
      if (count >= max) return n;
      admitted.set(true);
      return count + 1;
    });
    if (!admitted.get()) return new Refused(endPoint, connector);
    Connection connection = super.newConnection(connector, endPoint);
    connection.addEventListener(new Connection.Listener() {
      @Override
      public void onClosed(Connection closed) {
        open.computeIfPresent(client, (a, n) -> n <= 1 ? null : n - 1);
      }
    });
    return connection;
  }

  /** Connections open from {@code client} now (for tests). */
  int openFrom(InetAddress client) {
    return open.getOrDefault(client, 0);
  }

  private static InetAddress address(SocketAddress remote) {
    return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }

  /** Writes the fixed 503, half-closes, discards whatever the client sends until it closes. */
  private static final class Refused extends AbstractConnection {
    private final ByteBuffer discard = BufferUtil.allocate(1024);

    Refused(EndPoint endPoint, Connector connector) {
      super(endPoint, connector.getExecutor());
      endPoint.setIdleTimeout(REFUSED_LINGER_MS);
    }

    @Override
    public void onOpen() {
      super.onOpen();
      getEndPoint().write(Callback.from(() -> {
        getEndPoint().shutdownOutput();
        fillInterested();
      }, failure -> close()), ByteBuffer.wrap(REFUSAL));
    }

    @Override
    public void onFillable() {
      try {
        while (true) {
          BufferUtil.clear(discard);
          int n = getEndPoint().fill(discard);
          if (n < 0) {
            close();
            return;
          }
          if (n == 0) {
            fillInterested();
            return;
          }
        }
      } catch (IOException e) {
        close();
      }
    }
  }
}
