package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serve limits as a user sets them: bad values refused with the option's name, a set limit in force. */
class ServeOptionsTest {
  @TempDir Path dir;

  @Test
  void badLimitsExit2NamingTheOption() throws IOException {
    Path mirror = Files.createDirectories(dir.resolve("mirror"));
    String[][] cases = {
      {"--write-deadline", "0"}, {"--idle-timeout", "-5"}, {"--body-deadline", "100000"}, {"--min-body-rate", "-1"},
      {"--max-connections-per-client", "-1"}, {"--max-connections", "-2"}, {"--max-streams", "0"}, {"--threads", "2"},
    };
    for (String[] c : cases) {
      Cli.Run run = Cli.runQuick("serve", "--mirror", mirror.toString(), "--port", "0", c[0], c[1]).expect(2);
      String line = run.errorLine();
      assertTrue(line.startsWith("airgap: ") && line.contains(c[0]), line);
    }
    String line = Cli.runQuick("serve", "--mirror", mirror.toString(), "--port", "0", "--threads", "10", "--max-streams", "8").expect(2).errorLine();
    assertTrue(line.contains("--max-streams") && line.contains("--threads"), line);
  }

  @Test
  void theConnectionLimitPerClientIsInForce() throws Exception {
    Path mirror = Files.createDirectories(dir.resolve("mirror"));
    try (Cli.Server server = Cli.Server.attach(Cli.start("serve", "--mirror", mirror.toString(), "--bind", "127.0.0.1", "--port", "0",
        "--max-connections-per-client", "2"))) {
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          Socket s = new Socket("127.0.0.1", server.port);
          held.add(s);
          assertEquals("HTTP/1.1 200 OK", healthz(s));
        }
        try (Socket third = new Socket("127.0.0.1", server.port)) {
          assertEquals("HTTP/1.1 503 Service Unavailable", healthz(third));
        }
        held.remove(0).close();
        String status = "";
        for (int attempt = 0; attempt < 50 && !status.equals("HTTP/1.1 200 OK"); attempt++) {
          Thread.sleep(100);
          try (Socket again = new Socket("127.0.0.1", server.port)) {
            status = healthz(again);
          }
        }
        assertEquals("HTTP/1.1 200 OK", status, "a freed slot is used again");
      } finally {
        for (Socket s : held) s.close();
      }
    }
  }

  /** Sends GET /healthz on a kept-alive connection and returns the status line. */
  private static String healthz(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') line.append((char) b);
    // the rest of the answer stays unread: the connection is only held open
    return line.toString().strip();
  }
}
