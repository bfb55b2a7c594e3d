package dev.airgap.mirror;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** HTTP/1.1 over a plain socket, so request lines reach the server exactly as written. */
final class RawHttp {
  static final int TIMEOUT_MS = 10_000;

  record Response(int status, List<String[]> headerLines, byte[] body) {
    String header(String name) {
      for (String[] h : headerLines) if (h[0].equalsIgnoreCase(name)) return h[1];
      return null;
    }

    List<String> headers(String name) {
      List<String> values = new ArrayList<>();
      for (String[] h : headerLines) if (h[0].equalsIgnoreCase(name)) values.add(h[1]);
      return values;
    }

    /** All headers but Date, names lower-cased, in a sorted map (values of repeated names joined). */
    Map<String, String> headersWithoutDate() {
      Map<String, String> m = new TreeMap<>();
      for (String[] h : headerLines) {
        String n = h[0].toLowerCase(Locale.ROOT);
        if (!n.equals("date")) m.merge(n, h[1], (a, b) -> a + "\n" + b);
      }
      return m;
    }

    String bodyText() {
      return new String(body, StandardCharsets.ISO_8859_1);
    }
  }

  /** Sends {@code method target} with a Host header, Connection: close, and any extra header lines. */
  static Response request(int port, String method, String target, String... extraHeaderLines) throws IOException {
    StringBuilder req = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : extraHeaderLines) req.append(h).append("\r\n");
    req.append("Connection: close\r\n\r\n");
    return send(port, req.toString().getBytes(StandardCharsets.ISO_8859_1), method.equals("HEAD"));
  }

  static Response send(int port, byte[] request, boolean head) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
      s.setSoTimeout(TIMEOUT_MS);
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      return read(s.getInputStream(), head);
    }
  }

  static Response read(InputStream in, boolean head) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) throw new IOException("connection closed before a response");
    String[] parts = statusLine.split(" ", 3);
    int status = Integer.parseInt(parts[1]);
    List<String[]> headers = new ArrayList<>();
    String l;
    while ((l = line(in)) != null && !l.isEmpty()) {
      int colon = l.indexOf(':');
      headers.add(new String[] {l.substring(0, colon).trim(), l.substring(colon + 1).trim()});
    }
    Response partial = new Response(status, headers, new byte[0]);
    if (head || status == 304 || status == 204 || status < 200) return partial;
    String cl = partial.header("Content-Length");
    if (cl != null) return new Response(status, headers, in.readNBytes(Integer.parseInt(cl)));
    if ("chunked".equalsIgnoreCase(partial.header("Transfer-Encoding"))) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
        if (size == 0) break;
        body.write(in.readNBytes(size));
        line(in);
      }
      return new Response(status, headers, body.toByteArray());
    }
    return new Response(status, headers, in.readAllBytes());
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') break;
      if (c != '\r') b.write(c);
    }
    if (c < 0 && b.size() == 0) return null;
    return b.toString(StandardCharsets.ISO_8859_1);
  }
}
