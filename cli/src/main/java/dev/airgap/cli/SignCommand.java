package dev.airgap.cli;

import dev.airgap.exporter.CoSigner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airgap sign}: a reviewer co-signs a bundle to approve it. */
@Command(name = "sign", description = "Co-sign a bundle (approve it): adds your signature over the same manifest, verifying every blob on the way.")
final class SignCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "BUNDLE") Path bundle;
  @Option(names = "--key", required = true, description = "Your signing key (NAME.key).") Path key;
  @Option(names = "--out", description = "Write the co-signed bundle here instead of replacing BUNDLE.") Path out;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    CoSigner.Result r = CoSigner.cosign(bundle, key, out);
    spec.commandLine().getOut().printf("signed bundle %s: %s now carries %d signature(s): %s%n",
        r.manifest().bundleId(), r.bundle(), r.keyIds().size(), String.join(", ", r.keyIds()));
    return 0;
  }
}
