package dev.airgap.importer.scan;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One connection to clamd with real timeouts on connect, every write and every read (the JDK's blocking sockets have
 * no write timeout, and a clamd that stops reading would otherwise hang the import forever).
 */
final class ClamdChannel implements Closeable {
  /** Longest reply accepted; clamd's replies are a line. Anything longer is garbage. */
  static final int MAX_REPLY = 16 * 1024;

  private final SocketChannel channel;
  private final Selector selector;
  private final SelectionKey key;
  private final ByteArrayOutputStream reply = new ByteArrayOutputStream();
  private boolean replyComplete;
  private boolean eof;

  private ClamdChannel(SocketChannel channel, Selector selector, SelectionKey key) {
    this.channel = channel;
    this.selector = selector;
    this.key = key;
  }

  static ClamdChannel connect(String host, int port, long timeoutMillis) throws IOException {
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new UnknownHostException("unknown host " + host);
    }
    SocketChannel channel = SocketChannel.open();
    Selector selector = null;
    try {
      channel.configureBlocking(false);
      selector = Selector.open();
      SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT);
      if (!channel.connect(address)) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!channel.finishConnect()) {
          await(selector, deadline, "connect timed out after " + seconds(timeoutMillis));
        }
      }
      channel.socket().setTcpNoDelay(true);
      return new ClamdChannel(channel, selector, key);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      closeQuietly(selector);
      throw e;
    }
  }

  /** Writes all of {@code buffers}; each stall without progress may last at most {@code timeoutMillis}. */
  void write(long timeoutMillis, ByteBuffer... buffers) throws IOException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (remaining(buffers) > 0) {
      if (channel.write(buffers) > 0) {
        deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        continue;
      }
      key.interestOps(SelectionKey.OP_WRITE);
      await(selector, deadline, "clamd did not accept data for " + seconds(timeoutMillis));
    }
  }

  /**
   * Reads whatever reply bytes have already arrived, without waiting. Returns true if clamd has said anything (or
   * closed the connection) - during INSTREAM that only happens when it gives up on the stream.
   */
  boolean pollReply() throws IOException {
    readSome();
    return reply.size() > 0 || eof;
  }

  /**
   * Waits for the whole reply: up to the NUL terminator, or until clamd closes the connection. Each wait without
   * progress may last at most {@code timeoutMillis}.
   *
   * @throws EOFException if clamd closed the connection without saying anything
   */
  String readReply(long timeoutMillis) throws IOException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (!replyComplete && !eof) {
      if (readSome() > 0) {
        deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        continue;
      }
      if (replyComplete || eof) {
        break;
      }
      key.interestOps(SelectionKey.OP_READ);
      await(selector, deadline, "no reply within " + seconds(timeoutMillis));
    }
    if (reply.size() == 0) {
      throw new EOFException("connection closed without a reply");
    }
    return reply.toString(StandardCharsets.ISO_8859_1);
  }

  /** The reply bytes received so far (possibly incomplete). */
  String partialReply() {
    return reply.toString(StandardCharsets.ISO_8859_1);
  }

  private int readSome() throws IOException {
    if (replyComplete || eof) {
      return 0;
    }
    ByteBuffer buffer = ByteBuffer.allocate(512);
    int total = 0;
    while (true) {
      buffer.clear();
      int n = channel.read(buffer);
      if (n < 0) {
        eof = true;
        return total;
      }
      if (n == 0) {
        return total;
      }
      total += n;
      for (int i = 0; i < n; i++) {
        byte b = buffer.get(i);
        if (b == 0) {
          replyComplete = true;
          return total;
        }
        if (reply.size() >= MAX_REPLY) {
          throw new ClamdProtocolException("reply longer than " + MAX_REPLY + " bytes");
        }
        reply.write(b);
      }
    }
  }

  private static void await(Selector selector, long deadline, String timeoutMessage) throws IOException {
    long waitMillis = (deadline - System.nanoTime()) / 1_000_000L;
    if (waitMillis <= 0) {
      throw new SocketTimeoutException(timeoutMessage);
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("interrupted");
    }
    selector.selectedKeys().clear();
    selector.select(waitMillis);
  }

  private static long remaining(ByteBuffer[] buffers) {
    long r = 0;
    for (ByteBuffer b : buffers) {
      r += b.remaining();
    }
    return r;
  }

  static String seconds(long millis) {
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  @Override
  public void close() {
    closeQuietly(selector);
    closeQuietly(channel);
  }

  private static void closeQuietly(Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing a socket we are abandoning
      }
    }
  }

  /** clamd said something that is not its protocol. */
  static final class ClamdProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    ClamdProtocolException(String message) {
      super(message);
    }
  }
}
