package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airgap.testing.ClamdProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero egress on the isolated side, proven with the kernel's view: every {@code airgap import} (one bundle per slice:
 * files, model, Hugging Face, PyPI, apt with its repository signing key, OCI, Maven, git; scanned by a real clamd),
 * {@code verify}, {@code inspect}, {@code audit verify} and an {@code airgap serve} answering real clients (curl for
 * every slice's files, pip, git, skopeo) runs in a network namespace that has only loopback, under a host name that
 * {@code /etc/hosts} does not list (so a local host-name lookup would go to DNS), traced with
 * {@code strace -f -e trace=connect,sendto,sendmsg,sendmmsg}. Any connect or send to an address family other than
 * Unix/netlink, to an address other than loopback, or to port 53 anywhere (a DNS query, even to a loopback resolver)
 * fails the test. A canary ({@code getent} of the unlisted host name under the same tracing) proves that a lookup
 * would be seen.
 *
 * <p>Exports run outside (the connected side). Skipped, with the reason, where network namespaces, {@code unshare}
 * or {@code strace} are unavailable; on CI a missing {@code strace} is an error ({@code .ci/run} installs it).
 */
class ZeroEgressTest {
  @TempDir Path tmp;

  @Test
  void importVerifyAndServeConnectNowhereButLoopback() throws Exception {
    assumeTrue(ClamdProcess.available(), "clamd is not installed");
    String unavailable = Isolation.unavailable();
    assumeTrue(unavailable == null, () -> "zero-egress test skipped: " + unavailable);
    try (Isolation ns = Isolation.create(tmp.resolve("logs"))) {
      // The canary: a lookup of the unlisted host name is a port-53 send the tracer sees.
      Traced canary = ns.trace(tmp.resolve("logs/strace-canary.txt"), List.of("getent", "ahosts", ns.hostName));
      canary.waitFor();
      assertFalse(Egress.violations(canary.log).isEmpty(), "the canary's DNS lookup was not seen; the tracing proves nothing:\n" + canary.logText());

      Cli.run("keys", "generate", "--out", tmp.resolve("keys").toString(), "--name", "ops").expect(0);
      Path trust = Files.createDirectories(tmp.resolve("trust"));
      Files.copy(tmp.resolve("keys/ops.pub"), trust.resolve("ops.pub"));
      Path mirror = tmp.resolve("mirror");
      Map<Slice, Path> fixtures = new LinkedHashMap<>();
      Map<Slice, Path> bundles = new LinkedHashMap<>();
      for (Slice slice : SliceContractTest.slices().toList()) {
        Path fixture = Files.createDirectories(tmp.resolve("fixtures/" + slice.type()));
        List<String> args = new ArrayList<>(List.of("export", "--key", tmp.resolve("keys/ops.key").toString(), "--out",
            tmp.resolve("bundles/" + slice.type() + ".bundle").toString(), "--channel", channel(slice), "--sequence", "1"));
        args.addAll(slice.exportArgs(fixture));
        Cli.run(args.toArray(String[]::new)).expect(0);
        fixtures.put(slice, fixture);
        bundles.put(slice, tmp.resolve("bundles/" + slice.type() + ".bundle"));
      }

      try (ClamdProcess clamd = ClamdProcess.builder(tmp.resolve("clamd")).networkNamespace(ns.name).start()) {
        for (Map.Entry<Slice, Path> e : bundles.entrySet()) {
          List<String> args = new ArrayList<>(List.of("import", e.getValue().toString(), "--mirror", mirror.toString(), "--trust", trust.toString(),
              "--clamd", clamd.address()));
          args.addAll(e.getKey().importArgs(fixtures.get(e.getKey())));
          ns.airgap("import-" + e.getKey().type(), args).expectClean(0);
        }
      }
      Path gitBundle = bundles.values().stream().filter(p -> p.toString().endsWith("git.bundle")).findFirst().orElseThrow();
      ns.airgap("verify", List.of("verify", gitBundle.toString(), "--trust", trust.toString())).expectClean(0);
      ns.airgap("inspect", List.of("inspect", gitBundle.toString(), "--trust", trust.toString())).expectClean(0);
      ns.airgap("audit-verify", List.of("audit", "verify", "--mirror", mirror.toString())).expectClean(0);

      Traced serve = ns.trace(tmp.resolve("logs/strace-serve.txt"), airgapCommand(List.of("serve", "--mirror", mirror.toString(), "--bind", "127.0.0.1", "--port", "0")));
      Cli.Server server = Cli.Server.attach(serve.process);
      try {
        for (Map.Entry<Slice, Path> e : fixtures.entrySet()) {
          for (Map.Entry<String, Path> url : e.getKey().expectedUrls(e.getValue(), channel(e.getKey())).entrySet()) {
            Path got = tmp.resolve("curl.out");
            ns.client(List.of("curl", "-sS", "-f", "-o", got.toString(), server.url(url.getKey()))).expect(0);
            assertArrayEquals(Files.readAllBytes(url.getValue()), Files.readAllBytes(got), url.getKey());
          }
        }
        Path venv = PypiFixture.venv(tmp.resolve("venv"));
        ns.client(List.of("python3", "-m", "pip", "--isolated", "--disable-pip-version-check", "--python", venv.resolve("bin/python").toString(),
            "install", "--index-url", server.url("/pypi/simple/"), "--no-cache-dir", "app")).expect(0);
        assertEquals("2.0", PypiFixture.python(venv, "import alpha; print(alpha.VERSION)"));

        Path clone = tmp.resolve("clone");
        ns.client(List.of("git", "clone", "-q", server.url("/git/contract.git"), clone.toString())).expect(0);
        assertTrue(Files.isDirectory(clone.resolve(".git")), "git cloned nothing");

        Path layout = tmp.resolve("pulled");
        ns.client(OciFixtures.skopeo("copy", "--src-tls-verify=false", "docker://127.0.0.1:" + server.port + "/contract/app:1.0", "oci:" + layout + ":app"))
            .expect(0);
        assertTrue(Files.exists(layout.resolve("index.json")), "skopeo pulled nothing");
      } finally {
        serve.stop();
        server.close();
      }
      serve.assertClean("serve");
    }
  }

  private static String channel(Slice slice) {
    return "egress-" + slice.type();
  }

  private static List<String> airgapCommand(List<String> args) {
    List<String> cmd = Cli.command(args.toArray(String[]::new));
    cmd.addAll(1, Cli.QUICK_JVM);
    return cmd;
  }

  /** What {@code strace} recorded that leaves the machine's loopback (or asks DNS), one description per event. */
  static final class Egress {
    private static final Pattern FAMILY = Pattern.compile("sa_family=(AF_[A-Z0-9]+)");
    private static final Pattern INET = Pattern.compile("sa_family=AF_INET, sin_port=htons\\((\\d+)\\), sin_addr=inet_addr\\(\"([^\"]+)\"\\)");
    private static final Pattern INET6 = Pattern.compile("sa_family=AF_INET6, sin6_port=htons\\((\\d+)\\), sin6_flowinfo=[^,]+, inet_pton\\(AF_INET6, \"([^\"]+)\"");

    private Egress() {}

    static List<String> violations(Path straceLog) throws IOException {
      List<String> found = new ArrayList<>();
      for (String line : Files.readAllLines(straceLog, StandardCharsets.ISO_8859_1)) {
        Matcher family = FAMILY.matcher(line);
        while (family.find()) {
          String f = family.group(1);
          if (f.equals("AF_UNIX") || f.equals("AF_NETLINK") || f.equals("AF_UNSPEC")) continue;
          Matcher m = (f.equals("AF_INET") ? INET : INET6).matcher(line);
          if (!f.startsWith("AF_INET") || !m.find(family.start())) {
            found.add("unrecognised address: " + line);
            continue;
          }
          int port = Integer.parseInt(m.group(1));
          String address = m.group(2);
          if (port == 53) found.add("DNS query (port 53): " + line);
          else if (!loopback(address)) found.add("non-loopback address " + address + ": " + line);
        }
      }
      return found;
    }

    static boolean loopback(String address) {
      return address.startsWith("127.") || address.equals("::1") || address.startsWith("::ffff:127.");
    }
  }

  /** A traced process and its strace log. */
  static final class Traced {
    final Process process;
    final Path log;
    final Path output;

    Traced(Process process, Path log, Path output) {
      this.process = process;
      this.log = log;
      this.output = output;
    }

    int waitFor() throws InterruptedException {
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        stop();
        throw new AssertionError("traced process did not finish in 5 minutes");
      }
      return process.exitValue();
    }

    /** Ends the traced JVM (strace ignores SIGTERM while it traces a command; the tracee takes it and strace follows). */
    void stop() throws InterruptedException {
      process.descendants().filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false)).forEach(ProcessHandle::destroy);
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }

    String logText() throws IOException {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "(no strace log)";
    }

    void expectClean(int exitCode) throws Exception {
      int code = waitFor();
      assertEquals(exitCode, code, () -> "exit " + code + ":\n" + read(output));
      assertClean(log.getFileName().toString());
    }

    void assertClean(String what) throws IOException {
      List<String> v = Egress.violations(log);
      assertTrue(v.isEmpty(), () -> what + " reached beyond loopback or asked DNS:\n" + String.join("\n", v));
    }

    private static String read(Path p) {
      try {
        return p == null ? "" : Files.readString(p, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return e.toString();
      }
    }
  }

  /**
   * A network namespace of this test's own with only loopback up ({@code ip netns add}), and a host name for the
   * traced processes ({@code unshare --uts}) that {@code /etc/hosts} does not list.
   */
  static final class Isolation implements AutoCloseable {
    final String name;
    final String hostName;
    private final Path logDir;

    private Isolation(String name, String hostName, Path logDir) {
      this.name = name;
      this.hostName = hostName;
      this.logDir = logDir;
    }

    /** Why the test cannot run here, or null. */
    static String unavailable() throws Exception {
      boolean ci = System.getenv("CI") != null && !System.getenv("CI").isEmpty() && !System.getenv("CI").equalsIgnoreCase("false");
      for (String tool : List.of("strace", "unshare", "ip", "getent", "curl")) {
        if (!OciFixtures.onPath(tool)) {
          if (ci) throw new IllegalStateException(tool + " is not installed, but this is CI: .ci/run installs it");
          return tool + " is not installed";
        }
      }
      if (!OciFixtures.toolsAvailable()) return "skopeo is not installed";
      Cli.Run probe = run(List.of("unshare", "--net", "--uts", "true"), null);
      if (probe.exitCode() != 0) return "cannot create network/UTS namespaces (needs root): " + probe.err().strip();
      return null;
    }

    static Isolation create(Path logDir) throws Exception {
      String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
      String name = "ag-egress-" + suffix;
      String hostName = "ag-unlisted-" + suffix;
      assertFalse(Files.readString(Path.of("/etc/hosts")).contains(hostName), "host name must not be in /etc/hosts");
      run(List.of("ip", "netns", "add", name), null).expect(0);
      Isolation ns = new Isolation(name, hostName, Files.createDirectories(logDir));
      try {
        run(List.of("ip", "-n", name, "link", "set", "lo", "up"), null).expect(0);
        String links = run(List.of("ip", "-n", name, "-o", "link", "show"), null).expect(0).out();
        assertEquals(1, links.lines().count(), () -> "the namespace must have only loopback:\n" + links);
      } catch (RuntimeException | Error e) {
        ns.close();
        throw e;
      }
      return ns;
    }

    /** {@code airgap ARGS} traced in the namespace; its stdout and stderr go to a file next to the log. */
    Traced airgap(String what, List<String> args) throws IOException {
      return trace(logDir.resolve("strace-" + what + ".txt"), airgapCommand(args), logDir.resolve(what + ".out"));
    }

    Traced trace(Path log, List<String> command) throws IOException {
      return trace(log, command, null);
    }

    private Traced trace(Path log, List<String> command, Path output) throws IOException {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name, "unshare", "--uts", "--", "sh", "-c", "hostname \"$0\" && exec \"$@\"", hostName,
          "strace", "-f", "-qq", "-e", "signal=none", "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-o", log.toString(), "--"));
      cmd.addAll(command);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      if (output != null) pb.redirectOutput(output.toFile());
      return new Traced(pb.start(), log, output);
    }

    /** An untraced client in the namespace. */
    Cli.Run client(List<String> command) throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
      cmd.addAll(command);
      return run(cmd, null);
    }

    private static Cli.Run run(List<String> cmd, Path cwd) throws IOException, InterruptedException {
      ProcessBuilder pb = new ProcessBuilder(cmd);
      if (cwd != null) pb.directory(cwd.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("PIP_"));
      pb.environment().put("PIP_CONFIG_FILE", "/dev/null");
      pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
      Path out = Files.createTempFile("egress-out", ".txt");
      Path err = Files.createTempFile("egress-err", ".txt");
      try {
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new AssertionError(String.join(" ", cmd) + " did not finish");
        }
        return new Cli.Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), cmd);
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    }

    @Override
    public void close() throws Exception {
      run(List.of("ip", "netns", "del", name), null);
    }
  }
}
