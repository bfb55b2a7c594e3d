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

  @Command(name = "generate", description = "Generate an Ed25519 key pair: NAME.key (mode 0600) and NAME.pub; with --openpgp an OpenPGP repository signing key: NAME.secret.asc (mode 0600), NAME.asc and NAME.gpg.")
  static final class Generate implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Directory for the key files.") Path out;
    @Option(names = "--name", required = true, description = "Key name (file names NAME.key, NAME.pub).") String name;
    @Option(names = "--openpgp", description = "Generate an OpenPGP key that signs published repository metadata (apt); give it to 'airgap import --repo-key'.") boolean openpgp;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (openpgp) {
        dev.airgap.signing.openpgp.OpenPgpKeys.Generated g = dev.airgap.signing.openpgp.OpenPgpKeys.generate(out, name, java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        spec.commandLine().getOut().printf("wrote %s, %s and %s (OpenPGP fingerprint %s)%n", g.secretKey(), g.publicArmored(), g.publicBinary(), g.fingerprint());
        return 0;
      }
      GeneratedKey k = Ed25519Keys.generate(out, name);
      spec.commandLine().getOut().printf("wrote %s and %s (key id %s)%n", k.privateKey(), k.publicKey(), k.keyId().value());
      return 0;
    }
  }
}
