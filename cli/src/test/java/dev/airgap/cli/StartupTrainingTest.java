package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data-sharing training must keep exercising the real command paths: a step
 * that starts failing (a changed option, a spec field) would silently shrink the archive.
 */
class StartupTrainingTest {
  @Test
  void everyTrainingStepEndsAsExpected(@TempDir Path dir) throws Exception {
    List<StartupTraining.Step> steps = StartupTraining.train(dir);
    assertEquals(16, steps.size(), () -> "steps: " + steps);
    for (StartupTraining.Step step : steps) {
      assertTrue(step.asExpected(), () -> "airgap " + String.join(" ", step.args()) + " exited " + step.exitCode() + ", expected " + step.expectedExitCode());
    }
    List<String> commands = steps.stream().map(s -> s.args().get(0)).distinct().toList();
    assertEquals(List.of("keys", "export", "inspect", "verify", "import", "audit", "serve", "--help"), commands);
  }

  @Test
  void helpListsEveryCommandAndANamedCommandRunsAlone() {
    StringWriter out = new StringWriter();
    assertEquals(0, Main.run(new String[] {"--help"}, new PrintWriter(out), new PrintWriter(new StringWriter())));
    for (String command : List.of("keys", "export", "inspect", "sign", "verify", "import", "serve", "audit", "help")) {
      assertTrue(out.toString().contains("\n  " + command + " "), () -> command + " missing from:\n" + out);
    }
    StringWriter err = new StringWriter();
    assertEquals(2, Main.run(new String[] {"--stacktrace", "import"}, new PrintWriter(new StringWriter()), new PrintWriter(err)));
    assertTrue(err.toString().startsWith("airgap: Missing required parameter: 'BUNDLE'"), err::toString);
    StringWriter help = new StringWriter();
    assertEquals(0, Main.run(new String[] {"help", "verify"}, new PrintWriter(help), new PrintWriter(new StringWriter())));
    assertTrue(help.toString().startsWith("Usage: airgap verify"), help::toString);
    StringWriter unknown = new StringWriter();
    assertEquals(2, Main.run(new String[] {"imprt"}, new PrintWriter(new StringWriter()), new PrintWriter(unknown)));
    assertTrue(unknown.toString().contains("'imprt'"), unknown::toString);
  }
}
