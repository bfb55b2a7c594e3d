package dev.airgap.cli;

import dev.airgap.signing.Ed25519Keys;
import dev.airgap.signing.GeneratedKey;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code airgap keys generate}. */
@Command(name = "keys", description = "Manage signing keys.", subcommands = KeysCommand.Generate.class)
final class KeysCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand (generate)");
  }

  @Command(name = "generate", description = "Generate an Ed25519 key pair: NAME.key (mode 0600) and NAME.pub.")
  static final class Generate implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Directory for the key files.") Path out;
    @Option(names = "--name", required = true, description = "Key name (file names NAME.key, NAME.pub).") String name;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      GeneratedKey k = Ed25519Keys.generate(out, name);
      spec.commandLine().getOut().printf("wrote %s and %s (key id %s)%n", k.privateKey(), k.publicKey(), k.keyId().value());
      return 0;
    }
  }
}
