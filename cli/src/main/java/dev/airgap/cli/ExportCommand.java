package dev.airgap.cli;

import dev.airgap.core.Trace;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.mirror.pypi.PipLock;
import dev.airgap.exporter.ExportRequest;
import dev.airgap.exporter.ExportResult;
import dev.airgap.exporter.Exporter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code airgap export}: options → {@link ExportRequest} → {@link Exporter}. */
@Command(name = "export", description = "Collect artifacts, hash them, sign a manifest and write one bundle.")
final class ExportCommand implements Callable<Integer> {
  @Option(names = "--key", required = true, description = "Signing key (NAME.key); repeat to sign with several keys.") List<Path> keys;
  @Option(names = "--out", required = true, description = "Bundle file to write.") Path out;
  @Option(names = "--spec", description = "Export spec (YAML, docs/export-spec.md).") Path specFile;
  @Option(names = "--channel", description = "Channel name (default: the spec's, else 'default').") String channel;
  @Option(names = "--sequence", description = "Sequence number, monotonic per channel (default: the spec's, else the creation time in epoch seconds).") Long sequence;
  @Option(names = "--expires", description = "Expiry: 30d, 12h, 2027-01-31 or an ISO instant (default 30d).") String expires;
  @Option(names = "--files", description = "A file or directory to export as plain files.") List<Path> files = new ArrayList<>();
  @Option(names = "--model", description = "A model-weight directory to export.") List<Path> models = new ArrayList<>();
  @Option(names = "--state", description = "Directory where exports keep state between runs of a channel (e.g. the git refs last exported, for incremental bundles).") Path stateDir;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Trace.mark("picocli parse");
    Exporter exporter = new Exporter(Clock.systemUTC(), Main.VERSION);
    Trace.mark("exporter + sources");
    ExportResult r = exporter.export(new ExportRequest(keys, out, specFile, channel, sequence, expires, files, models, stateDir));
    spec.commandLine().getOut().printf("wrote %s: bundle %s, channel %s, sequence %d, %d artifact(s), %d blob(s), %s%n",
        r.bundle(), r.manifest().bundleId(), r.manifest().channel(), r.manifest().sequence(), r.manifest().artifacts().size(),
        r.blobCount(), Sizes.human(r.bundleBytes()));
    printPypi(r.manifest(), spec.commandLine().getOut());
    return 0;
  }

  /**
   * Which index each Python project came from (airgap takes a project from the first index that
   * knows it, pip merges indexes: with several, the two can differ) and which pip locks were written.
   */
  static void printPypi(Manifest m, PrintWriter out) {
    Map<String, List<String>> byIndex = new TreeMap<>();
    for (Artifact a : m.artifacts()) {
      if (!a.type().equals("pypi")) continue;
      byIndex.computeIfAbsent(a.properties().getOrDefault("index", "?"), k -> new ArrayList<>()).add(a.name() + " " + a.version());
    }
    if (byIndex.isEmpty()) return;
    out.println("pypi projects by index (each from the first index that knows it):");
    byIndex.forEach((index, projects) -> out.printf("  %s: %s%n", index, String.join(", ", projects)));
    PipLock.Result locks = PipLock.of(m.channel(), m.artifacts());
    if (!locks.locks().isEmpty()) out.printf("pip locks: %s (airgap inspect BUNDLE --pip-lock TARGET)%n", String.join(", ", locks.locks().keySet()));
    locks.omitted().forEach((target, why) -> out.printf("no pip lock for %s: %s%n", target, why));
  }
}
