package dev.airgap.importer;

import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.PickleFiles;
import dev.airgap.core.Printable;
import dev.airgap.core.Trace;
import dev.airgap.core.bundle.BlobSink;
import dev.airgap.core.bundle.BundleLayout;
import dev.airgap.core.bundle.BundleReader;
import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.ContentRejectedException;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.ExitCodes;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.TrustException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.mirror.GenerationInfo;
import dev.airgap.core.mirror.MirrorLayout;
import dev.airgap.importer.audit.AuditLog;
import dev.airgap.importer.publish.FilesPublisher;
import dev.airgap.importer.publish.PublishContext;
import dev.airgap.importer.publish.Publisher;
import dev.airgap.importer.publish.git.GitPublisher;
import dev.airgap.importer.scan.ClamdScanner;
import dev.airgap.importer.scan.ContentScanner;
import dev.airgap.importer.scan.ScanVerdict;
import dev.airgap.signing.TrustStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Imports one bundle into a mirror: verify the head (signatures, policy, sequence, expiry, SBOM)
 * before any blob is read; stream every blob through the tar guard into staging, hashing it and
 * scanning it; then build the next generation beside the current one and make it visible with
 * one atomic rename of {@code current}. Every outcome after the lock is taken is audited.
 */
public final class Importer {
  private final Clock clock;
  private final List<Publisher> publishers = new ArrayList<>();

  public Importer(Clock clock) {
    this.clock = clock;
    publishers.add(new FilesPublisher());
    publishers.add(new dev.airgap.importer.publish.pypi.PypiPublisher());
    publishers.add(new dev.airgap.importer.publish.hf.HuggingFacePublisher());
    publishers.add(new dev.airgap.importer.publish.oci.OciPublisher());
    publishers.add(new dev.airgap.importer.publish.maven.MavenPublisher());
    publishers.add(new dev.airgap.importer.publish.apt.AptPublisher());
    publishers.add(new GitPublisher());
  }

  public Importer register(Publisher publisher) {
    publishers.add(publisher);
    return this;
  }

  public ImportResult importBundle(ImportRequest request) {
    MirrorLayout layout = new MirrorLayout(request.mirror());
    TrustStore trust = TrustStore.load(request.trustDir());
    Trace.mark("trust store");
    createMirrorDirs(layout);
    try (MirrorLock lock = MirrorLock.acquire(layout)) {
      AuditLog audit = new AuditLog(layout.auditLog());
      recoverInterrupted(layout, audit);
      Trace.mark("lock + recover");
      Attempt attempt = new Attempt(request);
      try {
        ImportResult result = run(request, layout, trust, attempt);
        String outcome = result.outcome() == ImportResult.Outcome.PUBLISHED ? "accepted" : "unchanged";
        String message = result.outcome() == ImportResult.Outcome.PUBLISHED
            ? "published generation " + result.generation() : "identical bundle already imported; nothing changed";
        audit.append(attempt.entry(outcome, ExitCodes.OK, message, result.generation()), clock.instant());
        Trace.mark("audit");
        return result;
      } catch (AirgapException e) {
        // The record holds the line the user saw: escaped, so a reader of the log sees no disguised path.
        audit.append(attempt.entry("rejected", e.exitCode(), Printable.oneLine(e.getMessage()), null), clock.instant());
        throw e;
      } catch (RuntimeException e) {
        audit.append(attempt.entry("rejected", ExitCodes.INTERNAL, Printable.oneLine("internal error: " + e), null), clock.instant());
        throw e;
      } catch (OutOfMemoryError e) {
        // The attempt's data is unreachable by now, so there is room to record it.
        audit.append(attempt.entry("rejected", ExitCodes.ENVIRONMENT, "out of memory", null), clock.instant());
        throw e;
      }
    }
  }

  /**
   * Under the lock, before anything else: clear what a killed import left in staging, and if it
   * was killed after its switch but before its audit record, record that publication now.
   */
  private void recoverInterrupted(MirrorLayout layout, AuditLog audit) {
    try {
      cleanStaging(layout);
    } catch (IOException e) {
      throw EnvironmentException.io(layout.staging(), e);
    }
    Optional<Path> current = layout.currentGeneration();
    if (current.isEmpty()) return;
    GenerationInfo info = GenerationInfo.read(current.get());
    if (info.generation() <= audit.lastPublishedGeneration()) return;
    GenerationInfo.ChannelState newest = info.channels().values().stream()
        .max(java.util.Comparator.comparing(GenerationInfo.ChannelState::imported)).orElse(null);
    String channel = info.channels().entrySet().stream().filter(e -> e.getValue() == newest).map(Map.Entry::getKey).findFirst().orElse(null);
    audit.append(new AuditLog.Entry("accepted", ExitCodes.OK,
        "recovered: generation " + info.generation() + " was published by an import that stopped before writing its audit record",
        null, newest == null ? null : newest.bundleId(), channel, newest == null ? null : newest.sequence(),
        newest == null ? null : newest.manifestSha256(), info.generation(), null, null), clock.instant());
  }

  /** Facts gathered during one attempt, for its audit record whatever the outcome. */
  private static final class Attempt {
    final ImportRequest request;
    Manifest manifest;
    Digest manifestDigest;
    List<String> signers;
    String scanner;

    Attempt(ImportRequest request) {
      this.request = request;
      this.scanner = request.noScan() ? ContentScanner.none().describe() : "clamd " + request.clamdAddress();
    }

    AuditLog.Entry entry(String outcome, int exitCode, String message, Long generation) {
      return new AuditLog.Entry(outcome, exitCode, message, request.bundle().toAbsolutePath().toString(),
          manifest == null ? null : manifest.bundleId(), manifest == null ? null : manifest.channel(),
          manifest == null ? null : manifest.sequence(), manifestDigest == null ? null : manifestDigest.toString(),
          generation, signers, scanner);
    }
  }

  private ImportResult run(ImportRequest request, MirrorLayout layout, TrustStore trust, Attempt attempt) {
    if (request.noScan() && !trust.policy().allowNoScan()) {
      throw TrustException.policy(request.trustDir() + "/policy.json: the trust policy forbids --no-scan");
    }
    Instant now = clock.instant();
    Optional<Path> previous = layout.currentGeneration();
    GenerationInfo previousInfo = previous.map(GenerationInfo::read).orElse(null);
    try (BundleReader reader = BundleReader.open(request.bundle())) {
      BundleVerifier.VerifiedHead head = BundleVerifier.verifySignedHead(reader, trust, now);
      Manifest manifest = head.manifest();
      attempt.manifest = manifest;
      attempt.manifestDigest = head.manifestDigest();
      attempt.signers = head.signers();

      GenerationInfo.ChannelState last = previousInfo == null ? null : previousInfo.channels().get(manifest.channel());
      if (last != null && last.manifestSha256().equals(head.manifestDigest().toString())) {
        return new ImportResult(ImportResult.Outcome.ALREADY_IMPORTED, manifest, previousInfo.generation(), head.signers(), 0, 0);
      }
      if (last != null && manifest.sequence() <= last.sequence()) {
        throw TrustException.rollback(manifest.channel(), manifest.sequence(), last.sequence());
      }
      checkPublishable(manifest);
      if (request.refusePickle() || trust.policy().refusePickle()) refusePickle(manifest);

      SortedMap<String, Long> blobs = manifest.blobSizes();
      Set<String> inStore = blobsInStore(layout, blobs.keySet());
      long newBytes = blobs.entrySet().stream().filter(e -> !inStore.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
      checkFreeSpace(layout, newBytes, request.bundle());

      ContentScanner scanner = request.noScan() ? ContentScanner.none() : new ClamdScanner(ClamdScanner.parseAddress(request.clamdAddress()));
      attempt.scanner = scanner.describe();
      if (scanner instanceof ClamdScanner clamd) clamd.ping();
      Trace.mark("checks before staging");

      Path work = Files.createDirectories(layout.staging().resolve(manifest.bundleId() + "-" + now.toEpochMilli()));
      // The SBOM is authenticated (its digest is in the signed manifest); checking its agreement
      // with the manifest runs beside blob streaming and must pass before anything is published.
      CompletableFuture<Void> sbomCheck = CompletableFuture.runAsync(() -> BundleVerifier.checkSbomAgreement(head));
      try {
        Staged staged = stageAndScan(reader, manifest, blobs, inStore, layout, work, scanner);
        Trace.mark("stage + scan blobs");
        joinSbomCheck(sbomCheck);
        Trace.mark("SBOM check (beside staging)");
        long generation = publish(layout, previous, previousInfo, head, work, staged, now, Optional.ofNullable(request.repoSigningKey()));
        Trace.mark("switch generation");
        return new ImportResult(ImportResult.Outcome.PUBLISHED, manifest, generation, head.signers(), staged.written.size(), staged.bytesWritten);
      } finally {
        deleteTree(work);
      }
    } catch (IOException e) {
      throw EnvironmentException.io(layout.root(), e);
    }
  }

  private static void joinSbomCheck(java.util.concurrent.CompletableFuture<Void> check) {
    try {
      check.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof AirgapException ae) throw ae;
      if (e.getCause() instanceof Error err) throw err; // e.g. out of memory: reported as such by Main
      throw e;
    }
  }

  /**
   * Which of {@code hexes} the store already holds: one existence check per blob for the whole
   * import (we hold the lock: the store cannot change), none for a prefix directory that does not
   * exist yet (a first import of 10,000 files made 10,000 checks that all failed).
   */
  private static Set<String> blobsInStore(MirrorLayout layout, Set<String> hexes) {
    Set<String> inStore = new HashSet<>();
    Map<String, Boolean> prefixDirs = new HashMap<>();
    for (String hex : hexes) {
      Path blob = layout.blob(Digest.ofHex(hex));
      if (prefixDirs.computeIfAbsent(hex.substring(0, 2), p -> Files.isDirectory(blob.getParent())) && Files.exists(blob)) inStore.add(hex);
    }
    return inStore;
  }

  private void checkPublishable(Manifest manifest) {
    Set<String> known = new HashSet<>();
    publishers.forEach(p -> known.addAll(p.types()));
    for (Artifact a : manifest.artifacts()) {
      if (!known.contains(a.type())) {
        throw IntegrityException.malformed("manifest artifact '" + a.name() + "'", "type '" + a.type() + "' cannot be published by this airgap (known: " + new java.util.TreeSet<>(known) + ")");
      }
    }
  }

  private static void refusePickle(Manifest manifest) {
    for (Artifact a : manifest.artifacts()) {
      if (!PickleFiles.ARTIFACT_TYPES.contains(a.type())) continue;
      for (ArtifactFile f : a.files()) {
        if (PickleFiles.isPickle(f.path().value())) {
          throw new ContentRejectedException(a.type() + " '" + a.name() + "': file '" + f.path() + "' is a pickle-based weight format, refused by policy (--refuse-pickle)");
        }
      }
    }
  }

  private static void checkFreeSpace(MirrorLayout layout, long needed, Path bundle) throws IOException {
    long free = Files.getFileStore(layout.root()).getUsableSpace();
    // Head copies, indexes and file system overhead need room too.
    long margin = 64L << 20;
    if (needed > free - margin) {
      throw new EnvironmentException(bundle + ": declares " + needed + " bytes of new content but " + layout.root() + " has only " + free + " bytes free");
    }
  }

  /** Stages one blob, given as a stream or, when {@code whole} is not null, as its bytes. */
  @FunctionalInterface
  private interface StagingStep {
    void stage(Digest digest, long size, InputStream content, byte[] whole) throws IOException;
  }

  /** Staged blobs: digests written to staging (not yet in the store). */
  private record Staged(Map<String, Path> written, long bytesWritten) {}

  private Staged stageAndScan(BundleReader reader, Manifest manifest, SortedMap<String, Long> blobs, Set<String> inStore, MirrorLayout layout, Path work,
      ContentScanner scanner) throws IOException {
    Path blobDir = Files.createDirectories(work.resolve("blobs"));
    Map<String, Path> written = new LinkedHashMap<>();
    boolean scanning = scanner != ContentScanner.none();
    // hex → verdict: filled on the reading thread, completed by the scan pool once the file is staged
    Map<String, Future<ScanVerdict>> verdicts = new LinkedHashMap<>();
    Map<String, String> labels = scanning ? labels(manifest) : Map.of();
    long[] bytes = {0};
    ExecutorService scanPool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "airgap-scan");
      t.setDaemon(true);
      return t;
    });
    try (SmallFileWriter small = new SmallFileWriter()) {
      // A blob arrives as a stream, or (small ones) whole: whole is null for a stream.
      StagingStep step = (digest, size, content, whole) -> {
        if (inStore.contains(digest.hex())) {
          // Already published (and scanned) by an earlier import; still read so it is verified.
          if (content != null) content.transferTo(OutputStream.nullOutputStream());
          return;
        }
        Path staged = blobDir.resolve(digest.hex());
        written.put(digest.hex(), staged);
        bytes[0] += size;
        // --no-scan: no per-file task hand-off (10,000 small files paid ~0.1 s for it)
        CompletableFuture<ScanVerdict> verdict = scanning ? new CompletableFuture<>() : null;
        Runnable scan = scanning ? () -> scanPool.submit(() -> {
          try {
            verdict.complete(scanner.scan(staged, labels.get(digest.hex())));
          } catch (Throwable t) {
            verdict.completeExceptionally(t);
          }
        }) : null;
        if (whole != null) {
          small.write(whole, staged, scan);
        } else if (size < SmallFileWriter.MAX_FILE_BYTES) {
          small.write(content, staged, (int) size, scan);
        } else {
          OverlappedFileWriter.copy(content, staged);
          if (scan != null) scan.run();
        }
        if (verdict != null) verdicts.put(digest.hex(), verdict);
      };
      reader.readBlobs(blobs, new BlobSink() {
        @Override
        public void accept(Digest digest, long size, InputStream content) throws IOException {
          step.stage(digest, size, content, null);
        }

        @Override
        public void acceptBytes(Digest digest, byte[] content) throws IOException {
          step.stage(digest, content.length, null, content);
        }
      });
      small.finish();
      List<String> rejected = new ArrayList<>();
      for (Map.Entry<String, Future<ScanVerdict>> e : verdicts.entrySet()) {
        ScanVerdict v = await(e.getValue());
        if (v.status() != ScanVerdict.Status.CLEAN) {
          rejected.add(e.getKey());
          quarantine(layout, manifest, e.getKey(), written.get(e.getKey()), labels.get(e.getKey()), v);
        }
      }
      if (!rejected.isEmpty()) {
        String first = rejected.get(0);
        ScanVerdict v = await(verdicts.get(first));
        String what = v.status() == ScanVerdict.Status.INFECTED ? "infected (" + v.detail() + ")" : "unscannable (" + v.detail() + ")";
        throw new ContentRejectedException("bundle " + manifest.bundleId() + ": " + labels.get(first) + " is " + what
            + (rejected.size() > 1 ? " and " + (rejected.size() - 1) + " more file(s) were rejected" : "")
            + "; quarantined in " + layout.quarantine());
      }
      return new Staged(written, bytes[0]);
    } finally {
      scanPool.shutdownNow();
    }
  }

  private static ScanVerdict await(Future<ScanVerdict> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AirgapException ae) throw ae;
      throw new EnvironmentException("scanner failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EnvironmentException("interrupted while scanning");
    }
  }

  /** "file 'path' (sha256:…)" naming every logical path a blob is known by. */
  private static Map<String, String> labels(Manifest manifest) {
    Map<String, List<String>> paths = new HashMap<>();
    for (Artifact a : manifest.artifacts()) {
      for (ArtifactFile f : a.files()) paths.computeIfAbsent(f.sha256().hex(), k -> new ArrayList<>()).add(f.path().value());
    }
    Map<String, String> labels = new HashMap<>();
    paths.forEach((hex, list) -> labels.put(hex, "file '" + String.join("', '", list) + "' (sha256:" + hex + ")"));
    return labels;
  }

  private void quarantine(MirrorLayout layout, Manifest manifest, String hex, Path staged, String label, ScanVerdict verdict) throws IOException {
    Path dir = Files.createDirectories(layout.quarantine().resolve(manifest.bundleId()));
    Files.move(staged, dir.resolve(hex), StandardCopyOption.REPLACE_EXISTING);
    Map<String, Object> reason = new LinkedHashMap<>();
    reason.put("bundleId", manifest.bundleId());
    reason.put("channel", manifest.channel());
    reason.put("sequence", manifest.sequence());
    reason.put("file", label);
    reason.put("verdict", verdict.status().name());
    reason.put("detail", verdict.detail());
    reason.put("time", clock.instant().toString());
    Files.write(dir.resolve(hex + ".reason.json"), Json.strict().writeValueAsBytes(reason));
  }

  /**
   * Builds generation N+1 in staging (indexes from the publishers, bundle head, generation.json),
   * moves new blobs into the store, syncs, moves the generation into place and switches
   * {@code current} with one rename. A crash before the rename leaves the old generation served.
   */
  private long publish(MirrorLayout layout, Optional<Path> previous, GenerationInfo previousInfo, BundleVerifier.VerifiedHead head,
      Path work, Staged staged, Instant now, Optional<Path> repoSigningKey) throws IOException {
    Manifest manifest = head.manifest();
    long number = previousInfo == null ? 1 : previousInfo.generation() + 1;
    Path gen = Files.createDirectories(work.resolve("generation"));

    if (previous.isPresent()) carryBundles(previous.get(), gen);
    Path bundleDir = Files.createDirectories(gen.resolve("bundles").resolve(manifest.bundleId()));
    Files.write(bundleDir.resolve(BundleLayout.MANIFEST), head.head().manifestBytes());
    Files.write(bundleDir.resolve(BundleLayout.ENVELOPE), head.head().envelopeBytes());
    Files.write(bundleDir.resolve(BundleLayout.SBOM), head.head().sbomBytes());

    for (Publisher p : publishers) {
      boolean relevant = manifest.artifacts().stream().anyMatch(a -> p.types().contains(a.type()));
      if (relevant || previous.isPresent()) p.publish(new PublishContext(manifest, previous, gen, layout, d -> {
        Path s = staged.written().get(d.hex());
        return s != null ? s : layout.blob(d);
      }, now, repoSigningKey));
      if (relevant) Trace.mark("publisher " + p.getClass().getSimpleName());
    }

    Map<String, GenerationInfo.ChannelState> channels = new TreeMap<>(previousInfo == null ? Map.of() : previousInfo.channels());
    channels.put(manifest.channel(), new GenerationInfo.ChannelState(manifest.sequence(), manifest.bundleId(), head.manifestDigest().toString(), now));
    new GenerationInfo(number, now, channels).write(gen);

    Set<Path> storeDirs = new HashSet<>();
    for (Map.Entry<String, Path> e : staged.written().entrySet()) {
      Path target = layout.blob(Digest.ofHex(e.getKey()));
      if (storeDirs.add(target.getParent())) Files.createDirectories(target.getParent());
      try {
        Files.move(e.getValue(), target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException exists) {
        Files.delete(e.getValue());
      }
    }
    Durability.syncFileSystem(layout.root());
    Trace.mark("move blobs + syncfs");

    Path target = layout.generation(number);
    Files.createDirectories(layout.generations());
    if (Files.exists(target)) deleteTree(target); // left by an import killed after this step, never current
    Files.move(gen, target, StandardCopyOption.ATOMIC_MOVE);
    Durability.syncDirectory(layout.generations());

    Path link = layout.root().resolve(".current-" + number);
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, layout.root().relativize(target));
    Files.move(link, layout.current(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Durability.syncDirectory(layout.root());
    return number;
  }

  /** Bundle heads of earlier generations stay reviewable: hard links, they never change. */
  private static void carryBundles(Path previous, Path gen) throws IOException {
    Path from = previous.resolve("bundles");
    if (!Files.isDirectory(from)) return;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(from)) {
      for (Path d : dirs) {
        Path to = Files.createDirectories(gen.resolve("bundles").resolve(d.getFileName().toString()));
        for (String name : List.of(BundleLayout.MANIFEST, BundleLayout.ENVELOPE, BundleLayout.SBOM)) {
          Path src = d.resolve(name);
          if (!Files.exists(src)) continue;
          try {
            Files.createLink(to.resolve(name), src);
          } catch (UnsupportedOperationException | IOException e) {
            Files.copy(src, to.resolve(name));
          }
        }
      }
    }
  }

  private static void createMirrorDirs(MirrorLayout layout) {
    try {
      Files.createDirectories(layout.root());
      Files.createDirectories(layout.store());
      Files.createDirectories(layout.staging());
      Files.createDirectories(layout.quarantine());
      Files.createDirectories(layout.auditLog().getParent());
      Files.createDirectories(layout.generations());
    } catch (IOException e) {
      throw EnvironmentException.io(layout.root(), e);
    }
  }

  /** Staging left by an import that was killed; safe to remove because we hold the lock. */
  private static void cleanStaging(MirrorLayout layout) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(layout.staging())) {
      for (Path p : s) deleteTree(p);
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(layout.root(), ".current-*")) {
      for (Path p : s) Files.deleteIfExists(p);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
    try {
      org.apache.commons.io.file.PathUtils.delete(root); // never follows symbolic links
    } catch (IOException | java.io.UncheckedIOException e) {
      // Leftovers are cleaned by the next import.
    }
  }
}
