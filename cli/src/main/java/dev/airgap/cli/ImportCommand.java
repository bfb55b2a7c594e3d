package dev.airgap.cli;

import dev.airgap.core.Trace;
import dev.airgap.core.error.UsageException;
import dev.airgap.importer.ImportRequest;
import dev.airgap.importer.ImportResult;
import dev.airgap.importer.Importer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airgap import}: verify, scan and publish a bundle into a mirror. */
@Command(name = "import", description = "Verify a bundle, scan every file with clamd, and publish it atomically into a mirror.")
final class ImportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "BUNDLE") Path bundle;
  @Option(names = "--mirror", required = true, description = "Mirror directory.") Path mirror;
  @Option(names = "--trust", required = true, description = "Trust directory (*.pub keys and an optional policy.json).") Path trust;
  @Option(names = "--clamd", paramLabel = "HOST:PORT", description = "clamd address for scanning.") String clamd;
  @Option(names = "--no-scan", description = "Skip malware scanning (labs only; the trust policy can forbid it; audited).") boolean noScan;
  @Option(names = "--repo-key", description = "The enclave's OpenPGP secret key (armored) that signs published repository metadata such as apt's InRelease.") Path repoKey;
  @Option(names = "--refuse-pickle", description = "Reject bundles with pickle-based model weight files.") boolean refusePickle;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if ((clamd == null) == !noScan) throw new UsageException("import needs exactly one of --clamd HOST:PORT or --no-scan");
    Trace.mark("picocli parse");
    Importer importer = new Importer(Clock.systemUTC());
    Trace.mark("importer + publishers");
    ImportResult r = importer.importBundle(new ImportRequest(bundle, mirror, trust, clamd, noScan, refusePickle, repoKey));
    if (r.outcome() == ImportResult.Outcome.ALREADY_IMPORTED) {
      spec.commandLine().getOut().printf("bundle %s (channel %s, sequence %d) is already imported; mirror unchanged (generation %d)%n",
          r.manifest().bundleId(), r.manifest().channel(), r.manifest().sequence(), r.generation());
    } else {
      spec.commandLine().getOut().printf("imported bundle %s (channel %s, sequence %d) signed by %s: %d new blob(s), %s; published generation %d%n",
          r.manifest().bundleId(), r.manifest().channel(), r.manifest().sequence(), String.join(", ", r.signers()),
          r.blobsWritten(), Sizes.human(r.bytesWritten()), r.generation());
    }
    return 0;
  }
}
