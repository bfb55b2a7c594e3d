package dev.airgap.cli;

import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.ExitCodes;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code airgap} launcher: parses the command line, runs one command, maps failures to exit codes. */
@Command(
    name = "airgap",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Carry artifacts into isolated enclaves: export, inspect, verify, import, serve.",
    subcommands = {
      KeysCommand.class, ExportCommand.class, InspectCommand.class, SignCommand.class, VerifyCommand.class,
      ImportCommand.class, ServeCommand.class, AuditCommand.class, CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  public static final String VERSION = "0.1.0";

  @Option(names = "--stacktrace", scope = CommandLine.ScopeType.INHERIT, description = "Print the stack trace of a failure.")
  boolean stacktrace;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "missing command (try: airgap --help)");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line and returns its exit code (documented in docs/cli.md). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    boolean trace = java.util.Arrays.asList(args).contains("--stacktrace");
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler((ex, a) -> {
      err.println("airgap: " + ex.getMessage());
      if (trace) ex.printStackTrace(err);
      return ExitCodes.USAGE;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof AirgapException ae) {
        err.println("airgap: " + oneLine(ae.getMessage()));
        if (trace) ae.printStackTrace(err);
        return ae.exitCode();
      }
      err.println("airgap: internal error: " + oneLine(String.valueOf(ex)) + (trace ? "" : " (run with --stacktrace for details)"));
      if (trace) ex.printStackTrace(err);
      return ExitCodes.INTERNAL;
    });
    int code;
    try {
      code = cl.execute(args);
    } catch (OutOfMemoryError e) {
      // Content is streamed; what grows is per-file metadata (manifest, SBOM) of very large bundles.
      err.println("airgap: out of memory (Java heap " + (Runtime.getRuntime().maxMemory() >> 20)
          + " MiB); raise it, e.g. AIRGAP_JAVA_OPTS=-Xmx1g, or split the bundle");
      if (trace) e.printStackTrace(err);
      code = ExitCodes.ENVIRONMENT;
    }
    out.flush();
    err.flush();
    return code;
  }

  static String oneLine(String s) {
    if (s == null) return "unknown error";
    return s.replace('\n', ' ').replace('\r', ' ');
  }

  /** Reports the version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"airgap " + VERSION};
    }
  }
}
