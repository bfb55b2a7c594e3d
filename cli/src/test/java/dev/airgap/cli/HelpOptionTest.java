package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code airgap COMMAND [SUBCOMMAND] --help} (and {@code -h}) prints that command's usage and exits 0
 * for every command in picocli's model, however many required options it has: the commands are
 * walked from the model, so a new command is covered without touching this test.
 */
class HelpOptionTest {
  @Test
  void everyCommandAndSubcommandAnswersHelp() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(null), new ArrayList<>(), paths);
    assertTrue(paths.size() >= 11, () -> "commands found: " + paths);
    assertTrue(paths.contains(List.of("keys", "generate")) && paths.contains(List.of("audit", "verify")), () -> "commands found: " + paths);
    for (List<String> path : paths) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        String line = "airgap " + String.join(" ", args);
        assertEquals(0, code, () -> line + " exited " + code + "; stderr: " + err);
        assertEquals("", err.toString(), () -> line + " wrote to stderr");
        String usage = "Usage: airgap " + String.join(" ", path) + " ";
        assertTrue(out.toString().lines().anyMatch(l -> l.startsWith(usage)), () -> line + " printed:\n" + out);
        assertTrue(out.toString().contains("-h, --help"), () -> line + " does not list -h, --help:\n" + out);
      }
    }
  }

  /** Every command path below {@code cl} ({@code [keys], [keys, generate], ...}). */
  private static void collect(CommandLine cl, List<String> prefix, List<List<String>> out) {
    for (var e : cl.getSubcommands().entrySet()) {
      List<String> path = new ArrayList<>(prefix);
      path.add(e.getKey());
      out.add(path);
      collect(e.getValue(), path, out);
    }
  }
}
