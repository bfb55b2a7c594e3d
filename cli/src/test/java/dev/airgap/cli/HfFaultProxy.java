package dev.airgap.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback HTTP relay in front of {@code airgap serve} that records every request and, for one
 * path, either cuts the connection once, after {@code cutAfter} body bytes of the first full GET:
 * the network failure a client must recover from by resuming with {@code Range}; or stalls every
 * GET of it, holding the connection open and silent, before the answer's head or after
 * {@code cutAfter} body bytes (after the head, for a request with {@code Range}). It can also
 * answer chosen paths itself ({@link #answer}). Each exchange runs on its own connection
 * ({@code Connection: close}); bodies of requests are relayed by {@code Content-Length}.
 */
final class HfFaultProxy implements AutoCloseable {
  /** One relayed exchange: request line parts, its Range header (or null), and the upstream status. */
  record Exchange(String method, String path, String range, int status) {}

  /** What happens to the chosen path. */
  enum Fault { CUT_ONCE, STALL_HEAD, STALL_BODY }

  private final ServerSocket server;
  private final int upstreamPort;
  private final String cutPath;
  private final long cutAfter;
  private final Fault fault;
  private final AtomicBoolean cut = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Map<String, String> answers = new ConcurrentHashMap<>();
  final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

  HfFaultProxy(int upstreamPort, String cutPath, long cutAfter) throws IOException {
    this(upstreamPort, cutPath, cutAfter, Fault.CUT_ONCE);
  }

  HfFaultProxy(int upstreamPort, String cutPath, long cutAfter, Fault fault) throws IOException {
    this.fault = fault;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.upstreamPort = upstreamPort;
    this.cutPath = cutPath;
    this.cutAfter = cutAfter;
    Thread accept = new Thread(this::acceptLoop, "hf-fault-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Answers GETs of {@code path} itself with this JSON instead of relaying them: what another upstream would say. */
  void answer(String path, String json) {
    answers.put(path, json);
  }

  boolean didCut() {
    return cut.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Thread t = new Thread(() -> relay(client), "hf-fault-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void relay(Socket client) {
    try (client; Socket up = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      client.setSoTimeout(30_000);
      up.setSoTimeout(30_000);
      InputStream cin = client.getInputStream();
      String head = readHead(cin);
      if (head == null) return;
      String[] lines = head.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      String canned = requestLine[0].equals("GET") ? answers.get(requestLine[1]) : null;
      if (canned != null) {
        byte[] body = canned.getBytes(StandardCharsets.UTF_8);
        exchanges.add(new Exchange(requestLine[0], requestLine[1], null, 200));
        OutputStream cout = client.getOutputStream();
        cout.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        cout.write(body);
        cout.flush();
        return;
      }
      boolean chosen = requestLine[0].equals("GET") && requestLine[1].equals(cutPath);
      if (chosen && fault == Fault.STALL_HEAD) {
        exchanges.add(new Exchange(requestLine[0], requestLine[1], null, 0));
        closed.await(); // never answers
        return;
      }
      String range = null;
      long contentLength = 0;
      StringBuilder forwarded = new StringBuilder(lines[0]).append("\r\n");
      for (int i = 1; i < lines.length; i++) {
        String l = lines[i];
        String name = l.substring(0, Math.max(0, l.indexOf(':'))).trim().toLowerCase(Locale.ROOT);
        String value = l.substring(l.indexOf(':') + 1).trim();
        if (name.equals("connection") || name.equals("keep-alive")) continue;
        if (name.equals("range")) range = value;
        if (name.equals("content-length")) contentLength = Long.parseLong(value);
        forwarded.append(l).append("\r\n");
      }
      forwarded.append("Connection: close\r\n\r\n");
      OutputStream uout = up.getOutputStream();
      uout.write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
      copy(cin, uout, contentLength);
      uout.flush();

      InputStream uin = up.getInputStream();
      String responseHead = readHead(uin);
      if (responseHead == null) return;
      int status = Integer.parseInt(responseHead.split(" ")[1]);
      exchanges.add(new Exchange(requestLine[0], requestLine[1], range, status));
      OutputStream cout = client.getOutputStream();
      cout.write((responseHead + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      if (chosen && fault == Fault.STALL_BODY) {
        copy(uin, cout, range == null ? cutAfter : 0); // a resumed request gets its head and nothing more

        cout.flush();
        cut.set(true);
        closed.await(); // the rest never comes
        return;
      }
      boolean cutThis = chosen && fault == Fault.CUT_ONCE && range == null && cut.compareAndSet(false, true);
      if (cutThis) {
        copy(uin, cout, cutAfter);
        cout.flush();
        return; // closed before the promised Content-Length: an incomplete body, as after a dropped link
      }
      uin.transferTo(cout);
      cout.flush();
    } catch (IOException e) {
      // the client or server went away: nothing to relay
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      b.write(c);
      byte[] a = b.toByteArray();
      int n = a.length;
      if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
        return new String(a, 0, n - 4, StandardCharsets.ISO_8859_1);
      }
      if (n > 64 * 1024) throw new IOException("head too large");
    }
    return null;
  }

  private static void copy(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[8192];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) return;
      out.write(buf, 0, r);
      left -= r;
    }
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    server.close();
  }
}
