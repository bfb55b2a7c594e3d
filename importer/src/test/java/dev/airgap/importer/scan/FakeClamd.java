package dev.airgap.importer.scan;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A misbehaving stand-in for clamd: serves one connection with a scripted {@link Behaviour}. */
final class FakeClamd implements AutoCloseable {
  interface Behaviour {
    void serve(Socket socket, InputStream in, OutputStream out) throws IOException;
  }

  private final ServerSocket server;
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  FakeClamd(Behaviour behaviour) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread t = new Thread(() -> {
      try (Socket s = server.accept()) {
        behaviour.serve(s, s.getInputStream(), s.getOutputStream());
        done.complete(null);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    }, "fake-clamd");
    t.setDaemon(true);
    t.start();
  }

  ClamdScanner.Address address() {
    return new ClamdScanner.Address("127.0.0.1", server.getLocalPort());
  }

  /** Waits for the behaviour to finish, rethrowing what it threw (assertions on what the client sent). */
  void awaitServed() throws Exception {
    done.get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** Reads the NUL-terminated command ({@code zINSTREAM\0}), without the z and the NUL. */
  static String readCommand(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != 0) {
      if (c < 0) {
        throw new EOFException("client closed during the command");
      }
      b.write(c);
    }
    String s = b.toString(StandardCharsets.US_ASCII);
    if (!s.startsWith("z")) {
      throw new IllegalStateException("not a z-command: " + s);
    }
    return s.substring(1);
  }

  /** Reads INSTREAM chunks up to the zero-length terminator; returns the reassembled content. */
  static byte[] readStream(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    while (true) {
      int length = data.readInt();
      if (length == 0) {
        return content.toByteArray();
      }
      if (length < 0 || length > 16 * 1024 * 1024) {
        throw new IllegalStateException("bad chunk length " + length);
      }
      content.write(data.readNBytes(length));
    }
  }

  static void reply(OutputStream out, String reply) {
    try {
      out.write((reply + "\0").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
