package dev.airgap.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.PickleFiles;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.manifest.ManifestDiff;
import dev.airgap.core.manifest.RefUpdate;
import dev.airgap.core.mirror.pypi.PipLock;
import dev.airgap.importer.Inspection;
import dev.airgap.signing.TrustStore;
import dev.airgap.signing.TrustedSigner;
import dev.airgap.signing.Verification;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airgap inspect}: what a bundle holds and who signed it, from the head only. */
@Command(name = "inspect", description = "Show a bundle's artifacts, files, sizes, digests and signers (reads the head only).")
final class InspectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "BUNDLE") Path bundle;
  @Option(names = "--json", description = "Machine-readable output.") boolean json;
  @Option(names = "--trust", description = "Trust directory: also show which signatures are trusted and whether the policy is met.") Path trust;
  @Option(names = "--since", paramLabel = "OLD_BUNDLE", description = "Also show what changed since an earlier bundle.") Path since;
  @Option(names = "--pip-lock", arity = "0..1", paramLabel = "TARGET", fallbackValue = "",
      description = "Print the bundle's pip lock (for pip install --require-hashes -r) for TARGET, e.g. cp311-manylinux_2_28_x86_64; "
          + "TARGET may be left out when the bundle has one.") String pipLock;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Optional<TrustStore> store = Optional.ofNullable(trust).map(TrustStore::load);
    Inspection in = Inspection.of(bundle, store);
    if (pipLock != null) {
      spec.commandLine().getOut().print(new String(pipLock(in.manifest()), StandardCharsets.UTF_8));
      return 0;
    }
    Optional<ManifestDiff> diff = Optional.ofNullable(since).map(old -> ManifestDiff.between(Inspection.of(old, Optional.empty()).manifest(), in.manifest()));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode root = toJson(in);
      diff.ifPresent(d -> root.set("since", diffJson(d)));
      out.println(Json.strict().writeValueAsString(root));
    } else {
      printText(in, out);
      diff.ifPresent(d -> printDiff(d, out));
    }
    return 0;
  }

  /**
   * The lock computed from the manifest, as the importer computes and serves it; a lock the bundle
   * carries that differs from it (the importer would refuse the bundle) is an integrity failure.
   */
  private byte[] pipLock(Manifest m) {
    PipLock.Result result = PipLock.of(m.channel(), m.artifacts());
    if (result.locks().isEmpty() && result.omitted().isEmpty()) throw new UsageException(bundle + ": no Python packages, so no pip lock");
    String target = pipLock;
    if (target.isEmpty()) {
      if (result.locks().size() + result.omitted().size() != 1) {
        throw new UsageException(bundle + ": pip locks for several targets, name one: --pip-lock " + String.join(" | ", result.locks().keySet()));
      }
      target = result.locks().isEmpty() ? result.omitted().keySet().iterator().next() : result.locks().keySet().iterator().next();
    }
    if (result.omitted().containsKey(target)) throw new UsageException(bundle + ": no pip lock for " + target + ": " + result.omitted().get(target));
    byte[] lock = result.locks().get(target);
    if (lock == null) {
      throw new UsageException(bundle + ": no pip lock for target '" + target + "' (targets: " + String.join(", ", result.locks().keySet()) + ")");
    }
    for (Artifact a : m.artifacts()) {
      if (!a.type().equals(PipLock.TYPE)) continue;
      for (ArtifactFile f : a.files()) {
        if (f.path().value().equals(PipLock.path(target)) && !f.sha256().equals(Digest.of(lock))) {
          throw IntegrityException.malformed(bundle + ": " + f.path(), "the lock the bundle carries (sha256 " + f.sha256().hex()
              + ") is not the one its pypi releases give (sha256 " + Digest.of(lock).hex() + "); import refuses it");
        }
      }
    }
    return lock;
  }

  private static ObjectNode toJson(Inspection in) {
    ObjectNode root = Json.strict().createObjectNode();
    root.put("bundle", in.bundle().toString());
    root.put("bundleBytes", in.bundleBytes());
    root.put("manifestSha256", in.manifestDigest().toString());
    root.set("manifest", Json.strict().valueToTree(in.manifest()));
    ArrayNode sigs = root.putArray("signatures");
    for (String k : in.signatureKeyIds()) sigs.addObject().put("keyid", k);
    in.trust().ifPresent(v -> {
      ObjectNode t = root.putObject("trust");
      t.put("threshold", v.threshold());
      t.put("satisfied", v.satisfied());
      ArrayNode valid = t.putArray("trustedSigners");
      v.validSigners().forEach(s -> valid.addObject().put("keyid", s.keyId().value()).put("name", s.name()));
      ArrayNode unknown = t.putArray("unknownKeyIds");
      v.unknownKeyIds().forEach(unknown::add);
      ArrayNode invalid = t.putArray("invalidKeyIds");
      v.invalidKeyIds().forEach(invalid::add);
    });
    ArrayNode refUpdates = root.putArray("refUpdates");
    RefUpdate.of(in.manifest()).forEach(u -> refUpdates.add(refUpdateJson(u)));
    ArrayNode warnings = root.putArray("warnings");
    pickleWarnings(in.manifest()).forEach(warnings::add);
    RefUpdate.of(in.manifest()).forEach(u -> warnings.add(u.describe()));
    return root;
  }

  private static ObjectNode refUpdateJson(RefUpdate u) {
    ObjectNode o = Json.strict().createObjectNode().put("type", "git").put("name", u.artifact()).put("ref", u.ref()).put("forced", u.forced());
    u.kinds().forEach(o.withArray("update")::add);
    return o.put("change", u.change());
  }

  private static void printText(Inspection in, PrintWriter out) {
    Manifest m = in.manifest();
    out.printf("Bundle    %s (%s)%n", in.bundle(), Sizes.human(in.bundleBytes()));
    out.printf("ID        %s%n", m.bundleId());
    out.printf("Channel   %s  sequence %d%n", m.channel(), m.sequence());
    out.printf("Created   %s  expires %s%n", m.created(), m.expires());
    out.printf("Producer  %s %s on %s%n", m.producer().tool(), m.producer().version(), m.producer().host());
    out.printf("Manifest  %s%n", in.manifestDigest());
    out.printf("SBOM      %s %d bytes %s%n", m.sbom().path(), m.sbom().size(), m.sbom().sha256());
    out.printf("Signers   %d signature(s)%n", in.signatureKeyIds().size());
    for (String k : in.signatureKeyIds()) out.printf("  key %s%s%n", k, signerNote(in, k));
    in.trust().ifPresent(v -> out.printf("Policy    %d of %d required trusted signature(s): %s%n",
        v.validSigners().size(), v.threshold(), v.satisfied() ? "satisfied" : "NOT satisfied"));
    long files = m.artifacts().stream().mapToLong(a -> a.files().size()).sum();
    out.printf("Artifacts %d, %d file(s), %d distinct blob(s), %s%n", m.artifacts().size(), files, m.blobSizes().size(), Sizes.human(m.totalBlobBytes()));
    for (Artifact a : m.artifacts()) {
      out.printf("  %s %s %s  %s  (%d file(s), %s)%n", a.type(), a.name(), a.version(), a.purl(), a.files().size(), Sizes.human(a.totalSize()));
      // Ecosystem facts (target environments, platforms, refs, ...) travel as properties.
      a.properties().forEach((k, v) -> out.printf("    %s: %s%n", k, v));
      for (ArtifactFile f : a.files()) {
        out.printf("    %14d  %s  %s%s%n", f.size(), f.sha256(), f.path(),
            PickleFiles.ARTIFACT_TYPES.contains(a.type()) && PickleFiles.isPickle(f.path().value()) ? "  [WARNING: pickle-based weights can run code when loaded]" : "");
      }
    }
    for (String w : pickleWarnings(m)) out.printf("WARNING: %s%n", w);
    for (RefUpdate u : RefUpdate.of(m)) out.printf("WARNING: %s%n", u.describe());
  }

  private static ObjectNode diffJson(ManifestDiff d) {
    ObjectNode n = Json.strict().createObjectNode();
    ArrayNode added = n.putArray("added");
    d.added().forEach(a -> added.addObject().put("type", a.type()).put("name", a.name()).put("version", a.version()));
    ArrayNode removed = n.putArray("removed");
    d.removed().forEach(a -> removed.addObject().put("type", a.type()).put("name", a.name()).put("version", a.version()));
    ArrayNode changed = n.putArray("changed");
    for (ManifestDiff.Changed c : d.changed()) {
      ObjectNode o = changed.addObject().put("type", c.after().type()).put("name", c.after().name())
          .put("versionBefore", c.before().version()).put("versionAfter", c.after().version());
      c.filesAdded().forEach(o.withArray("filesAdded")::add);
      c.filesRemoved().forEach(o.withArray("filesRemoved")::add);
      c.filesModified().forEach(o.withArray("filesModified")::add);
      if (!c.refUpdates().isEmpty()) c.refUpdates().forEach(u -> o.withArray("refUpdates").add(refUpdateJson(u)));
    }
    n.put("unchanged", d.unchanged());
    return n;
  }

  private static void printDiff(ManifestDiff d, PrintWriter out) {
    out.printf("Since     %d added, %d removed, %d changed, %d unchanged artifact(s)%n", d.added().size(), d.removed().size(), d.changed().size(), d.unchanged());
    d.added().forEach(a -> out.printf("  + %s %s %s%n", a.type(), a.name(), a.version()));
    d.removed().forEach(a -> out.printf("  - %s %s %s%n", a.type(), a.name(), a.version()));
    for (ManifestDiff.Changed c : d.changed()) {
      out.printf("  ~ %s %s %s -> %s%n", c.after().type(), c.after().name(), c.before().version(), c.after().version());
      c.filesAdded().forEach(p -> out.printf("      + %s%n", p));
      c.filesRemoved().forEach(p -> out.printf("      - %s%n", p));
      c.filesModified().forEach(p -> out.printf("      ~ %s%n", p));
      c.refUpdates().forEach(u -> out.printf("      ! %s%n", u.describe()));
    }
  }

  private static String signerNote(Inspection in, String keyId) {
    if (in.trust().isEmpty()) return "";
    Verification v = in.trust().get();
    for (TrustedSigner s : v.validSigners()) if (s.keyId().value().equals(keyId)) return "  trusted: " + s.name() + ", signature valid";
    if (v.invalidKeyIds().contains(keyId)) return "  INVALID signature";
    return "  not in the trust store";
  }

  private static List<String> pickleWarnings(Manifest m) {
    return m.artifacts().stream().filter(a -> PickleFiles.ARTIFACT_TYPES.contains(a.type()))
        .flatMap(a -> a.files().stream().filter(f -> PickleFiles.isPickle(f.path().value()))
            .map(f -> a.type() + " '" + a.name() + "' contains pickle-based weights: " + f.path()))
        .toList();
  }
}
