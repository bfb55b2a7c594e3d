package dev.airgap.cli;

import dev.airgap.core.Printable;
import dev.airgap.core.Trace;
import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.ExitCodes;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** The {@code airgap} launcher: parses the command line, runs one command, maps failures to exit codes. */
@Command(
    name = "airgap",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Carry artifacts into isolated enclaves: export, inspect, verify, import, serve.")
public final class Main implements Runnable {
  public static final String VERSION = "0.1.0";

  /** The commands, in the order help lists them. */
  private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("keys", KeysCommand::new);
    COMMANDS.put("export", ExportCommand::new);
    COMMANDS.put("inspect", InspectCommand::new);
    COMMANDS.put("sign", SignCommand::new);
    COMMANDS.put("verify", VerifyCommand::new);
    COMMANDS.put("import", ImportCommand::new);
    COMMANDS.put("serve", ServeCommand::new);
    COMMANDS.put("audit", AuditCommand::new);
    COMMANDS.put("help", CommandLine.HelpCommand::new);
  }

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
    Trace.mark("main");
    boolean trace = Arrays.asList(args).contains("--stacktrace");
    CommandLine cl = commandLine(commandNamed(args));
    // Commands print what bundles, upstreams and users name through printf: every argument is escaped.
    cl.setOut(EscapingPrintWriter.of(out));
    cl.setErr(EscapingPrintWriter.of(err));
    cl.setParameterExceptionHandler((ex, a) -> {
      err.println("airgap: " + oneLine(ex.getMessage()));
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
      Trace.mark("command done");
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

  /**
   * The command model: the top level with the command {@code named}, or with every command when
   * {@code named} is null or {@code help}. Every command and subcommand answers {@code -h/--help}.
   */
  static CommandLine commandLine(String named) {
    CommandLine cl = new CommandLine(new Main());
    Trace.mark("picocli model");
    // Picocli reflects over every registered command up front (~70 ms of start-up for all of
    // them); a command line that names one command gets only that one. Help and unknown or
    // missing commands get all, so listings and suggestions stay complete.
    if (named != null && !named.equals("help")) {
      cl.addSubcommand(named, COMMANDS.get(named).get());
    } else {
      COMMANDS.forEach((name, command) -> cl.addSubcommand(name, command.get()));
    }
    addHelpOption(cl);
    Trace.mark("picocli subcommand");
    return cl;
  }

  /**
   * Gives every command below {@code cl} a {@code -h/--help} usage-help option unless it has one:
   * picocli then prints the usage and skips the check of required options and parameters.
   * Added here rather than per command so that a new command cannot miss it.
   */
  private static void addHelpOption(CommandLine cl) {
    for (CommandLine sub : cl.getSubcommands().values()) {
      CommandSpec spec = sub.getCommandSpec();
      if (spec.options().stream().noneMatch(OptionSpec::usageHelp)) {
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
      }
      addHelpOption(sub);
    }
  }

  /** The command the arguments name: the first argument that is not a top-level option. */
  private static String commandNamed(String[] args) {
    for (String a : args) {
      if (a.equals("--stacktrace")) continue;
      return COMMANDS.containsKey(a) ? a : null;
    }
    return null;
  }

  /** An error message as the one line a terminal shows as it is (see {@link Printable}). */
  static String oneLine(String s) {
    return Printable.oneLine(s);
  }

  /** Reports the version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"airgap " + VERSION};
    }
  }
}
