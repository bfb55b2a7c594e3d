package dev.airgap.exporter;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Digest;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.Trace;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.bundle.BundleHead;
import dev.airgap.core.bundle.BundleLayout;
import dev.airgap.core.bundle.BundleWriter;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.manifest.ManifestCodec;
import dev.airgap.core.manifest.Producer;
import dev.airgap.core.manifest.SbomRef;
import dev.airgap.exporter.source.ArtifactSource;
import dev.airgap.exporter.source.CollectedArtifact;
import dev.airgap.exporter.source.ExportContext;
import dev.airgap.exporter.source.FilesSource;
import dev.airgap.exporter.source.ModelSource;
import dev.airgap.exporter.source.git.GitSource;
import dev.airgap.sbom.SbomGenerator;
import dev.airgap.signing.DsseEnvelope;
import dev.airgap.signing.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Builds one bundle: collects and hashes every artifact (in parallel), writes the SBOM from the
 * digests already computed, signs the manifest, then streams the head and each distinct blob
 * once into a temp file that is renamed onto the target.
 */
public final class Exporter {
  public static final String DEFAULT_CHANNEL = "default";
  public static final String DEFAULT_EXPIRY = "30d";

  private final Map<String, ArtifactSource> sources = new LinkedHashMap<>();
  private final Clock clock;
  private final String version;

  public Exporter(Clock clock, String version) {
    this.clock = clock;
    this.version = version;
    register(new FilesSource());
    register(new ModelSource());
    register(new dev.airgap.exporter.source.pypi.PypiSource());
    register(new dev.airgap.exporter.source.hf.HuggingFaceSource());
    register(new dev.airgap.exporter.source.oci.OciSource());
    register(new dev.airgap.exporter.source.maven.MavenSource());
    register(new dev.airgap.exporter.source.apt.AptSource());
    register(new GitSource());
  }

  public Exporter register(ArtifactSource source) {
    sources.put(source.type(), source);
    return this;
  }

  public ExportResult export(ExportRequest request) {
    if (request.keys().isEmpty()) throw new UsageException("export needs at least one --key");
    // Loading keys (Bouncy Castle, Ed25519 arithmetic) and the first SBOM and manifest encoding
    // (CycloneDX, Jackson) are cold code that costs several hundred ms: they run beside the
    // collection, which mostly waits for I/O. A missing key file still fails first.
    for (Path k : request.keys()) if (!Files.isRegularFile(k)) SigningKey.load(k);
    CompletableFuture<List<SigningKey>> keys = CompletableFuture.supplyAsync(() -> {
      List<SigningKey> loaded = request.keys().stream().map(SigningKey::load).toList();
      warmUp();
      return loaded;
    }, r -> {
      Thread t = new Thread(r, "airgap-keys");
      t.setDaemon(true);
      t.start();
    });
    Path cwd = Path.of("").toAbsolutePath();
    ExportSpec spec = request.spec() != null ? ExportSpec.read(request.spec()) : ExportSpec.empty(cwd);
    Trace.mark("read spec");

    Instant created = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    String channel = firstNonNull(request.channel(), spec.channel(), DEFAULT_CHANNEL);
    if (!Manifest.CHANNEL.matcher(channel).matches()) throw new UsageException("--channel: '" + channel + "' must match " + Manifest.CHANNEL.pattern());
    // Without an explicit sequence the creation time in seconds is used: monotonic per channel
    // for a single exporting host without keeping state.
    long sequence = firstNonNull(request.sequence(), spec.sequence(), created.getEpochSecond());
    if (sequence < 1) throw new UsageException("--sequence must be at least 1");
    Instant expires = When.parse(firstNonNull(request.expires(), spec.expires(), DEFAULT_EXPIRY), created);
    if (!expires.isAfter(created)) throw new UsageException("--expires: " + expires + " is not in the future");

    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < spec.artifacts().size(); i++) {
      entries.add(new Entry(spec.artifacts().get(i), request.spec() + ": artifacts[" + i + "]", spec.baseDir()));
    }
    for (Path p : request.files()) entries.add(new Entry(quick("files", p), "--files " + p, cwd));
    for (Path p : request.models()) entries.add(new Entry(quick("model", p), "--model " + p, cwd));
    if (entries.isEmpty()) throw new UsageException("nothing to export: give --spec, --files or --model");

    Path out = request.out().toAbsolutePath();
    Path workDir = createWorkDir(out);
    try {
      return export(request, keys, spec, created, channel, sequence, expires, entries, out, workDir);
    } finally {
      deleteTree(workDir);
    }
  }

  private ExportResult export(ExportRequest request, CompletableFuture<List<SigningKey>> keys, ExportSpec spec, Instant created, String channel, long sequence,
      Instant expires, List<Entry> entries, Path out, Path workDir) {
    List<Runnable> commitActions = new ArrayList<>();
    List<CollectedArtifact> collected = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
      Thread t = new Thread(r, "airgap-hash");
      t.setDaemon(true);
      return t;
    });
    try {
      for (Entry e : entries) {
        String type = e.node().get("type").asText();
        ArtifactSource source = sources.get(type);
        if (source == null) {
          throw new UsageException(e.where() + ": type '" + type + "' is unknown (known: " + sources.keySet() + ")");
        }
        collected.addAll(source.collect(e.node(), e.where(), new ExportContext(e.baseDir(), pool, workDir,
            Optional.ofNullable(request.stateDir()).map(d -> d.toAbsolutePath().resolve(channel)), channel, commitActions)));
      }
      List<Artifact> all = collected.stream().map(CollectedArtifact::artifact).toList();
      Set<String> used = new LinkedHashSet<>();
      for (Entry e : entries) used.add(e.node().get("type").asText());
      for (String type : used) collected.addAll(sources.get(type).derive(channel, all));
    } finally {
      pool.shutdownNow();
    }
    Trace.mark("collect");

    List<Artifact> artifacts = collected.stream().map(CollectedArtifact::artifact).toList();
    Producer producer = new Producer("airgap", version, hostName());
    SbomRef placeholder = new SbomRef(BundleLayout.SBOM, 0, Digest.of(new byte[0]), BundleLayout.SBOM_MEDIA_TYPE);
    Manifest draft = new Manifest(Manifest.FORMAT_VERSION, UUID.randomUUID().toString(), channel, sequence, created, expires, producer, placeholder, artifacts);
    draft.validate();
    byte[] sbom = SbomGenerator.generate(draft);
    Trace.mark("sbom");
    Manifest manifest = draft.withSbom(new SbomRef(BundleLayout.SBOM, sbom.length, Digest.of(sbom), BundleLayout.SBOM_MEDIA_TYPE)).validate();
    byte[] manifestBytes = ManifestCodec.encode(manifest);
    byte[] envelope = DsseEnvelope.sign(BundleLayout.ENVELOPE_PAYLOAD_TYPE, manifestBytes, join(keys)).toJson();
    Trace.mark("sign (wait for keys)");

    // One source per distinct digest; identical files travel once.
    TreeMap<String, BlobSource> blobs = new TreeMap<>();
    for (CollectedArtifact c : collected) {
      for (BlobSource b : c.blobs()) blobs.putIfAbsent(b.digest().hex(), b);
    }
    long blobBytes = 0;
    try (BundleWriter writer = BundleWriter.create(out, created)) {
      writer.writeHead(new BundleHead(manifestBytes, envelope, sbom));
      for (BlobSource b : blobs.values()) {
        writer.writeBlob(b);
        blobBytes += b.size();
      }
      Trace.mark("write blobs");
      Path written = writer.commit();
      Trace.mark("commit bundle");
      commitActions.forEach(Runnable::run);
      long size;
      try {
        size = Files.size(written);
      } catch (java.io.IOException e) {
        size = -1;
      }
      return new ExportResult(written, manifest, size, blobs.size(), blobBytes);
    }
  }

  /** Encodes a throw-away manifest and its SBOM once, so that the real ones meet loaded, warm code. */
  private void warmUp() {
    try {
      Digest d = Digest.of(new byte[0]);
      Artifact a = new Artifact("files", "warm-up", "1", "pkg:generic/warm-up@1", Map.of("license", "MIT"),
          List.of(new ArtifactFile(LogicalPath.parse("warm-up", "warm-up"), 0, d, "application/octet-stream")));
      Instant t = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      Manifest m = new Manifest(Manifest.FORMAT_VERSION, UUID.randomUUID().toString(), DEFAULT_CHANNEL, 1, t, t.plusSeconds(1),
          new Producer("airgap", version, "warm-up"), new SbomRef(BundleLayout.SBOM, 0, d, BundleLayout.SBOM_MEDIA_TYPE), List.of(a));
      SbomGenerator.generate(m);
      ManifestCodec.encode(m);
    } catch (RuntimeException e) {
      // only a warm-up: the real encoding reports any problem
    }
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      if (e.getCause() instanceof Error err) throw err;
      throw e;
    }
  }

  /** Downloads land beside the bundle: same file system, and never in a small /tmp. */
  private static Path createWorkDir(Path out) {
    Path parent = out.getParent() != null ? out.getParent() : Path.of("").toAbsolutePath();
    try {
      Files.createDirectories(parent);
      return Files.createTempDirectory(parent, ".airgap-export-");
    } catch (java.io.IOException e) {
      throw dev.airgap.core.error.EnvironmentException.io(parent, e);
    }
  }

  private static void deleteTree(Path root) {
    try {
      org.apache.commons.io.file.PathUtils.delete(root); // never follows symbolic links
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      // best effort: a leftover work directory is visible and harmless
    }
  }

  private record Entry(com.fasterxml.jackson.databind.JsonNode node, String where, Path baseDir) {}

  private static ObjectNode quick(String type, Path path) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("type", type);
    n.put("path", path.toString());
    return n;
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T v : values) if (v != null) return v;
    return null;
  }

  private static String hostName() {
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) return h;
    try {
      return Files.readString(Path.of("/etc/hostname")).trim();
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
