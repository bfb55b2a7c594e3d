package dev.airgap.cli;

import dev.airgap.importer.BundleVerifier;
import dev.airgap.signing.TrustStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airgap verify}: every check of an import, publishing nothing. */
@Command(name = "verify", description = "Check a bundle's signatures, policy, SBOM and every byte; publishes nothing.")
final class VerifyCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "BUNDLE") Path bundle;
  @Option(names = "--trust", required = true, description = "Trust directory.") Path trust;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    BundleVerifier.VerifiedHead h = BundleVerifier.verifyAll(bundle, TrustStore.load(trust), Instant.now());
    spec.commandLine().getOut().printf("OK: bundle %s (channel %s, sequence %d) signed by %s; %d blob(s), %s verified%n",
        h.manifest().bundleId(), h.manifest().channel(), h.manifest().sequence(), String.join(", ", h.signers()),
        h.manifest().blobSizes().size(), Sizes.human(h.manifest().totalBlobBytes()));
    return 0;
  }
}
