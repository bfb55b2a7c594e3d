package dev.airgap.cli;

import dev.airgap.core.mirror.MirrorLayout;
import dev.airgap.importer.audit.AuditLog;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code airgap audit verify}. */
@Command(name = "audit", description = "Check the mirror's audit log.", subcommands = AuditCommand.Verify.class)
final class AuditCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand (verify)");
  }

  @Command(name = "verify", description = "Check the hash chain of the mirror's audit log.")
  static final class Verify implements Callable<Integer> {
    @Option(names = "--mirror", required = true, description = "Mirror directory.") Path mirror;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      AuditLog log = new AuditLog(new MirrorLayout(mirror).auditLog());
      long n = log.verify();
      spec.commandLine().getOut().printf("audit log %s: %d record(s), chain intact%n", log.file(), n);
      return 0;
    }
  }
}
