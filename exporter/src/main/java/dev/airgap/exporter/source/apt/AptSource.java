package dev.airgap.exporter.source.apt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Digest;
import dev.airgap.core.HashingCopy;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.Trace;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.mirror.apt.AptNames;
import dev.airgap.core.mirror.apt.ControlParagraph;
import dev.airgap.core.mirror.apt.DebArchive;
import dev.airgap.core.mirror.apt.DebVersion;
import dev.airgap.exporter.source.ArtifactSource;
import dev.airgap.exporter.source.CollectedArtifact;
import dev.airgap.exporter.source.ExportContext;
import dev.airgap.exporter.source.SpecNodes;
import dev.airgap.signing.openpgp.OpenPgpVerifier;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * {@code type: apt} — packages from a signed Debian-format repository, with their dependency
 * closure, and local {@code .deb} files (docs/apt.md). Published in the enclave under
 * {@code /apt/} as a repository signed with the enclave's key.
 */
public final class AptSource implements ArtifactSource {
  private static final Pattern VENDOR = Pattern.compile("[a-z0-9][a-z0-9.-]{0,63}");
  private static final String MEDIA_TYPE = AptNames.MEDIA_TYPE;
  /** Concurrent .deb downloads (apt itself pipelines up to 10 requests per connection). */
  private static final int DOWNLOADS_IN_FLIGHT = 8;

  @Override
  public String type() {
    return "apt";
  }

  @Override
  public List<CollectedArtifact> collect(JsonNode node, String where, ExportContext ctx) {
    AptEntry e = SpecNodes.parse(node, where, AptEntry.class);
    String suite = checked(AptNames.SUITE, e.suite(), where, "suite");
    List<String> components = e.components() == null || e.components().isEmpty() ? List.of("main") : e.components();
    List<String> archs = e.architectures() == null || e.architectures().isEmpty() ? List.of("amd64") : e.architectures();
    for (String c : components) checked(AptNames.COMPONENT, c, where, "component");
    for (String a : archs) {
      checked(AptNames.ARCHITECTURE, a, where, "architecture");
      if (a.equals("all")) throw new UsageException(where + ": architectures name real architectures; 'all' packages come with them");
    }
    String vendor = e.vendor() == null ? "debian" : checked(VENDOR, e.vendor(), where, "vendor");
    boolean hasUrl = e.url() != null;
    boolean hasDebs = e.debs() != null && !e.debs().isEmpty();
    if (!hasUrl && !hasDebs) throw new UsageException(where + ": give 'url' (with 'keyring' and 'packages') or 'debs'");
    Path work;
    try {
      work = Files.createTempDirectory(ctx.workDir(), "apt-");
    } catch (IOException ex) {
      throw EnvironmentException.io(ctx.workDir(), ex);
    }
    Context c = new Context(suite, archs, vendor, where, e.url());
    List<CollectedArtifact> out = new ArrayList<>();
    if (hasUrl) out.addAll(fromUpstream(e, c, components, ctx, work));
    if (hasDebs) {
      for (String d : e.debs()) out.add(fromLocalDeb(ctx.baseDir().resolve(d).normalize(), components.get(0), c));
    }
    // A pool path is one file: the same package reached twice (closure and local file) travels once.
    Map<String, CollectedArtifact> byPath = new LinkedHashMap<>();
    for (CollectedArtifact a : out) {
      ArtifactFile f = a.artifact().files().get(0);
      CollectedArtifact earlier = byPath.putIfAbsent(f.path().value(), a);
      if (earlier != null && !earlier.artifact().files().get(0).sha256().equals(f.sha256())) {
        throw new UsageException(where + ": " + f.path() + " comes both from the repository and from 'debs' with different content");
      }
    }
    return List.copyOf(byPath.values());
  }

  private record Context(String suite, List<String> architectures, String vendor, String where, String url) {}

  private List<CollectedArtifact> fromUpstream(AptEntry e, Context c, List<String> components, ExportContext ctx, Path work) {
    if (e.keyring() == null) throw new UsageException(c.where() + ": 'url' needs 'keyring', the OpenPGP keyring that signs the repository");
    if (e.packages() == null || e.packages().isEmpty()) throw new UsageException(c.where() + ": 'url' needs 'packages', the packages to export");
    List<Relation> requests = new ArrayList<>();
    for (String p : e.packages()) {
      try {
        requests.add(Relation.parse(p.replaceFirst("^([a-z0-9][a-z0-9+.-]*)=(\\S+)$", "$1 (= $2)")));
      } catch (IllegalArgumentException ex) {
        throw new UsageException(c.where() + ": packages: " + ex.getMessage());
      }
    }
    OpenPgpVerifier verifier = OpenPgpVerifier.of(ctx.baseDir().resolve(e.keyring()).normalize());
    Upstream upstream = new Upstream(e.url(), c.where());
    UpstreamRelease release = UpstreamRelease.fetch(upstream, c.suite(), verifier, Instant.now());

    List<IndexRef> refs = new ArrayList<>();
    for (String component : components) {
      int before = refs.size();
      for (String arch : c.architectures()) addIndex(refs, release, component, arch, c.suite());
      // binary-all repeats the 'all' packages when the binary-<arch> indexes carry them (as Debian's do)
      if (!release.allInArchitectureIndexes() || refs.size() == before) addIndex(refs, release, component, "all", c.suite());
      if (refs.size() == before) {
        throw new UsageException(c.where() + ": " + release.url() + " lists no Packages index for component '" + component + "' and architectures " + c.architectures());
      }
    }
    List<Future<PackageIndex.Scan>> scans = new ArrayList<>();
    for (int i = 0; i < refs.size(); i++) {
      IndexRef ref = refs.get(i);
      Path plain = work.resolve("index-" + i + "-Packages");
      scans.add(ctx.hashPool().submit(() -> scanIndex(upstream, ref, plain)));
    }
    try (PackageIndex index = new PackageIndex()) {
      for (Future<PackageIndex.Scan> f : scans) index.add(await(f, c.where()));
      Trace.mark("apt: read " + refs.size() + " indexes, " + index.stanzas() + " stanzas");
      Map<String, Candidate> closure = new LinkedHashMap<>();
      for (String arch : c.architectures()) {
        Resolver resolver = new Resolver(index, arch, Boolean.TRUE.equals(e.recommends()), c.where() + " (" + release.url() + ")");
        for (Candidate cand : resolver.resolve(requests)) {
          String pool = poolPath(cand, c.where());
          Candidate earlier = closure.putIfAbsent(pool, cand);
          if (earlier != null && !earlier.sha256().equals(cand.sha256())) {
            throw new IntegrityException(c.where() + ": " + cand.label() + " appears twice upstream with different content");
          }
        }
      }
      Trace.mark("apt: resolve " + closure.size() + " packages");
      return download(closure, upstream, c, work);
    }
  }

  /** One {@code Packages} index to read: the variants the Release lists (paths under {@code dists/<suite>/}), in the order to try them. */
  private record IndexRef(String component, List<String> variants, UpstreamRelease release, String suite) {}

  private static void addIndex(List<IndexRef> refs, UpstreamRelease release, String component, String arch, String suite) {
    List<String> variants = release.variants(component + "/binary-" + arch + "/Packages");
    if (!variants.isEmpty()) refs.add(new IndexRef(component, variants, release, suite));
  }

  /**
   * Downloads, decompresses and scans an index in one pass (the uncompressed copy goes to
   * {@code plain}); its signed size and SHA-256 are checked at the end, before the scan is used.
   */
  private static PackageIndex.Scan scanIndex(Upstream upstream, IndexRef ref, Path plain) {
    for (String variant : ref.variants()) {
      String relative = "dists/" + ref.suite() + "/" + variant;
      UpstreamRelease.Sum sum = ref.release().sha256().get(variant);
      Upstream.Verified verified = upstream.openVerified(relative, sum.size(), sum.sha256());
      if (verified != null) return scanIndex(verified, variant, ref.component(), plain, upstream.url(relative));
    }
    List<String> others = ref.variants().subList(1, ref.variants().size());
    throw new EnvironmentException(upstream.url("dists/" + ref.suite() + "/" + ref.variants().get(0)) + ": not found (404)"
        + (others.isEmpty() ? "" : ", nor " + String.join(", ", others) + ",") + " although the signed Release lists it");
  }

  private static PackageIndex.Scan scanIndex(Upstream.Verified download, String variant, String component, Path plain, String url) {
    try (Upstream.Verified verified = download) {
      PackageIndex.Scan scan;
      try {
        InputStream buffered = new BufferedInputStream(verified, 1 << 16); // the decoders read in small pieces
        InputStream in = variant.endsWith(".xz") ? new XZCompressorInputStream(buffered)
            : variant.endsWith(".gz") ? new GzipCompressorInputStream(buffered, true) : buffered;
        scan = PackageIndex.scan(in, plain, component, url);
      } catch (AirgapException | IOException ex) {
        verified.finish(); // altered or cut-off bytes are reported as such, not as whatever they fail to parse as
        if (ex instanceof IOException io) throw IntegrityException.malformed(url, "unreadable Packages index: " + io.getMessage(), io);
        throw ex;
      }
      verified.finish();
      return scan;
    } catch (IOException ex) {
      throw EnvironmentException.io(url, ex);
    }
  }

  private List<CollectedArtifact> download(Map<String, Candidate> closure, Upstream upstream, Context c, Path work) {
    Path debs = work.resolve("debs");
    try {
      Files.createDirectories(debs);
    } catch (IOException ex) {
      throw EnvironmentException.io(debs, ex);
    }
    // Downloads wait on the network, not the CPU: more in flight than there are cores.
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(DOWNLOADS_IN_FLIGHT, Math.max(1, closure.size())), r -> {
      Thread t = new Thread(r, "airgap-apt-download");
      t.setDaemon(true);
      return t;
    });
    try {
      Map<String, Future<Path>> downloads = new LinkedHashMap<>();
      for (Map.Entry<String, Candidate> en : closure.entrySet()) {
        Candidate cand = en.getValue();
        String filename = cand.filename();
        if (LogicalPath.problem(filename) != null || !filename.endsWith(".deb")) {
          throw new IntegrityException(c.where() + ": upstream Filename '" + filename + "' of " + cand.label() + " is not a safe relative .deb path");
        }
        Path target = debs.resolve(cand.sha256().hex() + ".deb");
        downloads.put(en.getKey(), pool.submit(() -> {
          if (!Files.exists(target)) upstream.download(filename, target, cand.size(), cand.sha256());
          return target;
        }));
      }
      List<CollectedArtifact> out = new ArrayList<>();
      for (Map.Entry<String, Candidate> en : closure.entrySet()) {
        Path file = await(downloads.get(en.getKey()), c.where());
        Candidate cand = en.getValue();
        out.add(artifact(cand.control(), cand.component(), en.getKey(), file, cand.sha256(), cand.size(), c));
      }
      Trace.mark("apt: download " + closure.size() + " packages");
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private CollectedArtifact fromLocalDeb(Path deb, String component, Context c) {
    if (!Files.isRegularFile(deb)) throw new UsageException(c.where() + ": debs: " + deb + " is not a file");
    ControlParagraph control;
    HashingCopy.Result hash;
    try {
      control = DebArchive.readControl(deb);
      try (InputStream in = Files.newInputStream(deb)) {
        hash = HashingCopy.hash(in, Files.size(deb));
      }
    } catch (IllegalArgumentException ex) {
      throw new UsageException(c.where() + ": " + deb + " is not a valid Debian package: " + ex.getMessage());
    } catch (IOException ex) {
      throw EnvironmentException.io(deb, ex);
    }
    String arch = control.get("Architecture");
    if (!"all".equals(arch) && !c.architectures().contains(arch)) {
      throw new UsageException(c.where() + ": " + deb + " is for architecture '" + arch + "', not one of " + c.architectures() + " or all");
    }
    String pool;
    try {
      pool = AptNames.poolPath(component, control.get("Package"), DebVersion.parse(control.get("Version")), arch);
    } catch (IllegalArgumentException ex) {
      throw new UsageException(c.where() + ": " + deb + ": " + ex.getMessage());
    }
    return artifact(control, component, pool, deb, hash.digest(), hash.size(), c);
  }

  private static CollectedArtifact artifact(ControlParagraph control, String component, String poolPath, Path file, Digest sha256, long size, Context c) {
    String name = control.get("Package");
    String version = control.get("Version");
    String arch = control.get("Architecture");
    Map<String, String> props = new LinkedHashMap<>();
    props.put("suite", c.suite());
    props.put("component", component);
    props.put("architecture", arch);
    props.put("architectures", String.join(",", new LinkedHashSet<>(c.architectures())));
    for (String f : List.of("Source", "Section", "Priority", "Maintainer", "Depends", "Pre-Depends", "Recommends", "Provides", "Installed-Size")) {
      String v = control.folded(f);
      if (v != null && !v.isEmpty()) props.put(f.toLowerCase(java.util.Locale.ROOT), v);
    }
    String description = control.get("Description");
    if (description != null) props.put("description", description.lines().findFirst().orElse("").strip());
    String homepage = control.folded("Homepage");
    if (homepage != null && (homepage.startsWith("https://") || homepage.startsWith("http://"))) props.put("website", homepage);
    if (c.url() != null) props.put("upstream", c.url());
    String purl = "pkg:deb/" + c.vendor() + "/" + enc(name) + "@" + enc(version) + "?arch=" + enc(arch);
    ArtifactFile af = new ArtifactFile(LogicalPath.parse(file.toString(), poolPath), size, sha256, MEDIA_TYPE);
    return new CollectedArtifact(new Artifact("apt", name, version, purl, props, List.of(af)), List.of(BlobSource.ofFile(file, sha256, size)));
  }

  private static String poolPath(Candidate cand, String where) {
    try {
      return AptNames.poolPath(cand.component(), cand.name(), cand.version(), cand.architecture());
    } catch (IllegalArgumentException ex) {
      throw new IntegrityException(where + ": upstream package " + cand.label() + ": " + ex.getMessage());
    }
  }

  private static <T> T await(Future<T> f, String where) {
    try {
      return f.get();
    } catch (ExecutionException ex) {
      if (ex.getCause() instanceof AirgapException ae) throw ae;
      throw new EnvironmentException(where + ": download failed: " + ex.getCause(), ex.getCause());
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new EnvironmentException(where + ": interrupted");
    }
  }

  private static String checked(Pattern p, String value, String where, String what) {
    if (value == null || !p.matcher(value).matches()) throw new UsageException(where + ": " + what + " '" + value + "' must match " + p.pattern());
    return value;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%7E", "~"); // '~' is unreserved in purls
  }
}
