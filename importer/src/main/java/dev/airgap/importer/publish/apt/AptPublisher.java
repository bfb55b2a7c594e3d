package dev.airgap.importer.publish.apt;

import dev.airgap.core.Trace;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.mirror.apt.AptIndex;
import dev.airgap.core.mirror.apt.AptNames;
import dev.airgap.core.mirror.apt.ControlParagraph;
import dev.airgap.core.mirror.apt.DebArchive;
import dev.airgap.core.mirror.apt.DebVersion;
import dev.airgap.importer.publish.PublishContext;
import dev.airgap.importer.publish.Publisher;
import dev.airgap.signing.openpgp.OpenPgpSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Publishes {@code apt} artifacts as a signed Debian repository under {@code apt/} of the new
 * generation (docs/apt.md): {@code dists/<suite>/{InRelease,Release,Release.gpg}},
 * {@code <component>/binary-<arch>/Packages{,.gz,.xz}} with {@code by-hash/SHA256/} copies, and
 * the repository's public key as {@code key.asc} / {@code key.gpg}. The {@code .deb} files stay in
 * the content store; {@code apt/index.json} maps their pool paths to blobs.
 *
 * <p>Retention: a suite keeps every package of earlier imports and gains the new bundle's
 * packages. A pool path (component, name, version without epoch, architecture) names one file: a
 * newer bundle that carries a different file for it replaces the earlier one in every suite that
 * lists it, as a newer bundle replaces a path in the files slice.
 */
public final class AptPublisher implements Publisher {
  private static final Set<String> TYPES = Set.of("apt");
  /** Fields the repository computes itself; a package's own values for them are dropped. */
  private static final Set<String> COMPUTED = Set.of("filename", "size", "md5sum", "sha1", "sha256", "sha512", "description-md5");

  @Override
  public Set<String> types() {
    return TYPES;
  }

  @Override
  public void publish(PublishContext ctx) throws IOException {
    AptIndex previous = ctx.previousGeneration().map(AptIndex::read).orElse(AptIndex.empty());
    List<Artifact> artifacts = ctx.artifactsOf(TYPES);
    Path aptDir = ctx.newGeneration().resolve(AptIndex.DIRECTORY);
    if (artifacts.isEmpty()) {
      // Nothing new for apt: the previous repository, signatures included, stays as it was.
      if (!previous.isEmpty()) linkTree(ctx.previousGeneration().get().resolve(AptIndex.DIRECTORY), aptDir);
      return;
    }
    if (ctx.repoSigningKey().isEmpty()) {
      throw new UsageException("bundle " + ctx.manifest().bundleId() + " carries apt packages: import needs --repo-key FILE, the enclave's OpenPGP secret key that signs the apt repository (make one with 'airgap keys generate --openpgp')");
    }
    OpenPgpSigner signer = OpenPgpSigner.load(ctx.repoSigningKey().get());
    Trace.mark("apt: previous index + signing key");

    Map<String, AptIndex.PoolEntry> pool = new TreeMap<>(previous.pool());
    Map<String, TreeSet<String>> suitePackages = new TreeMap<>();
    Map<String, TreeSet<String>> suiteArchitectures = new TreeMap<>();
    previous.suites().forEach((s, suite) -> {
      suitePackages.put(s, new TreeSet<>(suite.packages()));
      suiteArchitectures.put(s, new TreeSet<>(suite.architectures()));
    });
    List<Admitted> admitted = admitAll(artifacts, ctx);
    Trace.mark("apt: control files");
    for (Admitted p : admitted) {
      pool.put(p.poolPath(), p.entry());
      suitePackages.computeIfAbsent(p.suite(), s -> new TreeSet<>()).add(p.poolPath());
      TreeSet<String> archs = suiteArchitectures.computeIfAbsent(p.suite(), s -> new TreeSet<>());
      archs.addAll(p.suiteArchitectures());
      if (!p.architecture().equals("all")) archs.add(p.architecture());
    }

    Instant now = ctx.now().truncatedTo(ChronoUnit.SECONDS);
    RepositoryWriter writer = new RepositoryWriter(aptDir, signer, now);
    writer.writeKeys();
    Map<String, AptIndex.Suite> suites = new TreeMap<>();
    for (Map.Entry<String, TreeSet<String>> s : suitePackages.entrySet()) {
      TreeSet<String> archs = suiteArchitectures.getOrDefault(s.getKey(), new TreeSet<>());
      suites.put(s.getKey(), new AptIndex.Suite(List.copyOf(archs), List.copyOf(s.getValue())));
      writer.writeSuite(s.getKey(), archs, packagesOf(s.getValue(), pool));
    }
    if (ctx.previousGeneration().isPresent()) writer.keepPreviousByHash(ctx.previousGeneration().get().resolve(AptIndex.DIRECTORY), previous);
    Trace.mark("apt: keys, Packages, Release, signatures");
    new AptIndex(pool, suites, writer.files()).write(ctx.newGeneration());
  }

  /** Reads and checks the packages' control files on two threads (each is a small decompression). */
  private static List<Admitted> admitAll(List<Artifact> artifacts, PublishContext ctx) throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "airgap-apt-control");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Admitted>> futures = new ArrayList<>();
      for (Artifact a : artifacts) futures.add(pool.submit(() -> admit(a, ctx)));
      List<Admitted> out = new ArrayList<>(futures.size());
      for (Future<Admitted> f : futures) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) throw re;
          if (e.getCause() instanceof IOException io) throw io;
          throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while reading control files");
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** One package of the bundle, checked against its own control file. */
  private record Admitted(String suite, String architecture, List<String> suiteArchitectures, String poolPath, AptIndex.PoolEntry entry) {}

  private static Admitted admit(Artifact a, PublishContext ctx) throws IOException {
    String where = "apt artifact '" + a.name() + "' " + a.version();
    Map<String, String> props = a.properties();
    String suite = props.get("suite");
    String component = props.get("component");
    String arch = props.get("architecture");
    List<String> suiteArchs = props.getOrDefault("architectures", "").isEmpty() ? List.of() : Arrays.asList(props.get("architectures").split(","));
    try {
      AptNames.check(AptNames.SUITE, suite, "suite");
      AptNames.check(AptNames.COMPONENT, component, "component");
      AptNames.check(AptNames.ARCHITECTURE, arch, "architecture");
      for (String sa : suiteArchs) AptNames.check(AptNames.ARCHITECTURE, sa, "architecture");
    } catch (IllegalArgumentException e) {
      throw IntegrityException.malformed(where, e.getMessage());
    }
    if (a.files().size() != 1) throw IntegrityException.malformed(where, "must have exactly one file (its .deb), has " + a.files().size());
    ArtifactFile f = a.files().get(0);
    ControlParagraph control;
    try {
      control = DebArchive.readControl(ctx.blob(f.sha256()));
    } catch (IllegalArgumentException | IOException e) {
      throw IntegrityException.malformed(where, "file '" + f.path() + "' is not a readable Debian package: " + e.getMessage(), e);
    }
    String pkg = control.get("Package");
    String version = control.get("Version");
    String controlArch = control.get("Architecture");
    if (!a.name().equals(pkg) || !a.version().equals(version) || !arch.equals(controlArch)) {
      throw IntegrityException.malformed(where, "the package's control file says " + pkg + " " + version + " (" + controlArch
          + "), the manifest says " + a.name() + " " + a.version() + " (" + arch + ")");
    }
    String poolPath;
    try {
      poolPath = AptNames.poolPath(component, pkg, DebVersion.parse(version), arch);
    } catch (IllegalArgumentException e) {
      throw IntegrityException.malformed(where, e.getMessage());
    }
    if (!poolPath.equals(f.path().value())) throw IntegrityException.malformed(where, "file path '" + f.path() + "' is not its pool path '" + poolPath + "'");
    String text = control.format(COMPUTED);
    return new Admitted(suite, arch, suiteArchs, poolPath, new AptIndex.PoolEntry(f.sha256(), f.size(), text, ctx.manifest().bundleId()));
  }

  private static List<RepositoryWriter.Package> packagesOf(Set<String> poolPaths, Map<String, AptIndex.PoolEntry> pool) {
    List<RepositoryWriter.Package> out = new ArrayList<>();
    for (String p : poolPaths) {
      AptIndex.PoolEntry e = pool.get(p);
      if (e == null) throw IntegrityException.malformed("apt index", "suite lists '" + p + "', which is not in the pool");
      out.add(new RepositoryWriter.Package(p, e));
    }
    return out;
  }

  /** Hard-links a directory tree (generations are immutable, so sharing inodes is safe). */
  static void linkTree(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) return;
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(target);
        } else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          link(p, target);
        }
      }
    }
  }

  static void link(Path existing, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    try {
      Files.createLink(target, existing);
    } catch (UnsupportedOperationException | IOException e) {
      if (Files.exists(target)) throw e instanceof IOException io ? io : new IOException(e);
      Files.copy(existing, target);
    }
  }
}
