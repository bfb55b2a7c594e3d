package dev.airgap.exporter.source.pypi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.Trace;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.mirror.pypi.PipLock;
import dev.airgap.exporter.source.ArtifactSource;
import dev.airgap.exporter.source.CollectedArtifact;
import dev.airgap.exporter.source.ExportContext;
import dev.airgap.exporter.source.SpecNodes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code type: pypi} — resolves requirements against PEP 503/691 indexes (and a wheelhouse) for
 * each target environment and exports, per project release, the distribution files the targets
 * need plus each wheel's core metadata (served as PEP 658 {@code .metadata}). Every download is
 * checked against the index's SHA-256. Logical paths: {@code pypi/<project>/<file name>}.
 */
public final class PypiSource implements ArtifactSource {
  public static final String TYPE = "pypi";
  static final String METADATA_MEDIA_TYPE = "text/plain; charset=utf-8";
  private static final int IO_THREADS = 8;

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public List<CollectedArtifact> collect(JsonNode node, String where, ExportContext context) {
    PypiEntry e = SpecNodes.parse(node, where, PypiEntry.class);
    List<URI> indexes = new ArrayList<>();
    for (String s : e.indexes() == null ? List.<String>of() : e.indexes()) indexes.add(indexUri(s, where, context.baseDir()));
    Wheelhouse wheelhouse = e.wheelhouse() == null ? null : new Wheelhouse(context.baseDir().resolve(e.wheelhouse()).normalize());
    if (indexes.isEmpty() && wheelhouse == null) throw new UsageException(where + ": give 'indexes' and/or 'wheelhouse'");
    List<Resolver.Constraint> roots = new ArrayList<>();
    List<String> lines = e.requirements() == null ? List.of() : e.requirements();
    for (int i = 0; i < lines.size(); i++) roots.addAll(RequirementsFile.parseLine(lines.get(i), where + ".requirements[" + i + "]", context.baseDir(), new HashSet<>()));
    if (e.requirementsFile() != null) roots.addAll(RequirementsFile.read(context.baseDir().resolve(e.requirementsFile())));
    if (roots.isEmpty()) throw new UsageException(where + ": no requirements (give 'requirements' and/or 'requirementsFile')");
    List<TargetEnvironment> envs = environments(e, where);

    ExecutorService io = Executors.newFixedThreadPool(IO_THREADS, r -> {
      Thread t = new Thread(r, "airgap-pypi-io");
      t.setDaemon(true);
      return t;
    });
    PackageFinder finder = new PackageFinder(indexes, wheelhouse, context.workDir().resolve("pypi"), io);
    try {
      // project → version → release being assembled
      Map<String, Map<Version, Release>> releases = new TreeMap<>();
      for (TargetEnvironment env : envs) {
        Map<String, Resolver.Pin> pins = new Resolver(finder, env).resolve(roots);
        for (Resolver.Pin p : pins.values()) {
          Release r = releases.computeIfAbsent(p.project(), k -> new TreeMap<>()).computeIfAbsent(p.version(), v -> new Release(p));
          r.files.add(p.file());
          r.targets.add(env.label());
        }
      }
      Trace.mark("pypi: resolve (downloads overlap)");
      for (Map<Version, Release> byVersion : releases.values()) for (Release r : byVersion.values()) r.files.forEach(finder::prefetchFile);
      List<Future<CollectedArtifact>> futures = new ArrayList<>();
      for (Map<Version, Release> byVersion : releases.values()) {
        for (Release r : byVersion.values()) futures.add(io.submit(() -> r.collect(finder)));
      }
      List<CollectedArtifact> out = new ArrayList<>();
      for (Future<CollectedArtifact> f : futures) out.add(get(f));
      Trace.mark("pypi: remaining downloads");
      return out;
    } finally {
      // speculative fetches still running stop at their next read and remove their partial files,
      // before the exporter goes on (and deletes the work directory)
      finder.close();
      io.shutdownNow();
      try {
        io.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The pip locks of all pypi releases of the export, one file per target, as the {@code
   * pypi-lock} artifact ({@link PipLock}); the importer computes them again from the verified
   * manifest and refuses a bundle whose locks differ.
   */
  @Override
  public List<CollectedArtifact> derive(String channel, List<Artifact> collected) {
    PipLock.Result result = PipLock.of(channel, collected);
    if (result.locks().isEmpty()) return List.of();
    List<ArtifactFile> files = new ArrayList<>();
    List<BlobSource> blobs = new ArrayList<>();
    result.locks().forEach((target, bytes) -> {
      String path = PipLock.path(target);
      Digest digest = Digest.of(bytes);
      files.add(new ArtifactFile(LogicalPath.parse(path, path), bytes.length, digest, PipLock.MEDIA_TYPE));
      blobs.add(generated(path, bytes, digest));
    });
    Map<String, String> props = new LinkedHashMap<>();
    props.put("targets", String.join(", ", result.locks().keySet()));
    result.omitted().forEach((target, why) -> props.put("omitted:" + target, why));
    return List.of(new CollectedArtifact(new Artifact(PipLock.TYPE, PipLock.NAME, PipLock.VERSION, PipLock.PURL, props, files), blobs));
  }

  /** A small file the export generated (a lock), held in memory. */
  private static BlobSource generated(String name, byte[] bytes, Digest digest) {
    return new BlobSource() {
      @Override public Digest digest() { return digest; }
      @Override public long size() { return bytes.length; }
      @Override public String origin() { return "generated " + name; }
      @Override public InputStream open() { return new ByteArrayInputStream(bytes); }
    };
  }

  private static <T> T get(Future<T> f) {
    try {
      return f.get();
    } catch (ExecutionException ex) {
      if (ex.getCause() instanceof AirgapException ae) throw ae;
      throw new IllegalStateException(ex.getCause());
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new EnvironmentException("interrupted while downloading Python packages");
    }
  }

  private static List<TargetEnvironment> environments(PypiEntry e, String where) {
    if (e.targets() == null || e.targets().isEmpty()) throw new UsageException(where + ": 'targets' needs at least one {python, platforms}");
    List<TargetEnvironment> envs = new ArrayList<>();
    for (int i = 0; i < e.targets().size(); i++) {
      PypiEntry.Target t = e.targets().get(i);
      List<String> platforms = t.platforms() == null || t.platforms().isEmpty() ? List.of("any") : t.platforms();
      for (String p : platforms) {
        try {
          envs.add(TargetEnvironment.of(t.python(), p));
        } catch (UsageException ex) {
          throw new UsageException(where + ".targets[" + i + "]: " + ex.getMessage());
        }
      }
    }
    return envs;
  }

  private static URI indexUri(String text, String where, Path baseDir) {
    URI u;
    try {
      u = new URI(text.strip());
    } catch (URISyntaxException ex) {
      throw new UsageException(where + ": index '" + text + "' is not a URL");
    }
    if (u.getScheme() == null) u = baseDir.resolve(text.strip()).toUri();
    if (!PackageFinder.supportedScheme(u)) throw new UsageException(where + ": index '" + text + "' must be http://, https:// or file://");
    if (u.getRawQuery() != null || u.getRawFragment() != null) throw new UsageException(where + ": index '" + text + "' must not have a query or fragment");
    String s = u.toString();
    return URI.create(s.endsWith("/") ? s : s + "/");
  }

  /** One project release and what the targets chose of it. */
  private static final class Release {
    final String project;
    final Version version;
    final PackageFinder.Metadata metadata;
    final Set<RemoteFile> files = new LinkedHashSet<>();
    final Set<String> targets = new LinkedHashSet<>();

    Release(Resolver.Pin first) {
      this.project = first.project();
      this.version = first.version();
      this.metadata = first.metadata();
    }

    CollectedArtifact collect(PackageFinder finder) {
      List<ArtifactFile> artifactFiles = new ArrayList<>();
      List<BlobSource> blobs = new ArrayList<>();
      Map<String, String> props = new LinkedHashMap<>();
      List<RemoteFile> sorted = files.stream().sorted((a, b) -> a.filename().compareTo(b.filename())).toList();
      for (RemoteFile f : sorted) {
        PackageFinder.LocalFile local = finder.file(f);
        add(artifactFiles, blobs, f.filename(), local, mediaType(f));
        if (f.name().wheel()) {
          // the wheel's own METADATA is served as .metadata; an index's PEP 658 file must be identical to it
          // without PEP 658 the resolver already read the wheel's own METADATA: reuse it
          PackageFinder.Metadata inWheel = f.metadataOffered() ? finder.metadataFromDistribution(f) : finder.metadata(f);
          if (f.metadataOffered()) {
            PackageFinder.Metadata offered = finder.metadata(f);
            if (offered.file() != null && !offered.file().sha256().equals(inWheel.file().sha256())) {
              throw IntegrityException.mismatch(f.url() + ".metadata (differs from the wheel's METADATA)", inWheel.file().sha256(), offered.file().sha256());
            }
          }
          add(artifactFiles, blobs, f.filename() + ".metadata", inWheel.file(), METADATA_MEDIA_TYPE);
        }
        if (f.isYanked()) props.put("yanked:" + f.filename(), f.yanked().isBlank() ? "yanked" : f.yanked().strip());
      }
      CoreMetadata m = metadata.fields();
      props.put("targets", String.join(", ", targets));
      if (m.requiresPython() != null) props.put("requires-python", m.requiresPython().strip());
      if (m.license() != null) props.put("license", oneLine(m.license()));
      if (m.summary() != null) props.put("summary", oneLine(m.summary()));
      if (m.homePage() != null) props.put("website", m.homePage().strip());
      props.put("index", sorted.get(0).origin());
      Artifact a = new Artifact(TYPE, project, version.toString(), "pkg:pypi/" + project + "@" + version, props, artifactFiles);
      return new CollectedArtifact(a, blobs);
    }

    private void add(List<ArtifactFile> files, List<BlobSource> blobs, String name, PackageFinder.LocalFile local, String mediaType) {
      LogicalPath path = LogicalPath.parse(project + "/" + name, "pypi/" + project + "/" + name);
      files.add(new ArtifactFile(path, local.size(), local.sha256(), mediaType));
      blobs.add(local.inWorkDir() ? deletedAfterCopy(local) : BlobSource.ofFile(local.path(), local.sha256(), local.size()));
    }
  }

  /**
   * A download in the work directory is read once, by the bundle writer, and deleted as soon as it
   * has been copied: the bundle's fsync and the work directory's removal then never meet its bytes.
   */
  private static BlobSource deletedAfterCopy(PackageFinder.LocalFile local) {
    return new BlobSource() {
      @Override public Digest digest() { return local.sha256(); }
      @Override public long size() { return local.size(); }
      @Override public String origin() { return local.path().toString(); }
      @Override public InputStream open() throws IOException { return Files.newInputStream(local.path(), StandardOpenOption.DELETE_ON_CLOSE); }
    };
  }

  private static String oneLine(String s) {
    String t = s.replaceAll("\\s+", " ").strip();
    return t.length() > 200 ? t.substring(0, 200).strip() : t;
  }

  static String mediaType(RemoteFile f) {
    if (f.name().wheel()) return "application/octet-stream";
    return f.name().isTarGz() ? "application/gzip" : "application/zip";
  }
}
