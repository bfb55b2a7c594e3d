package dev.airgap.importer.publish.pypi;

import dev.airgap.core.Digest;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.mirror.pypi.PipLock;
import dev.airgap.core.mirror.pypi.PipLocks;
import dev.airgap.core.mirror.pypi.PypiIndex;
import dev.airgap.core.mirror.pypi.PypiNames;
import dev.airgap.importer.publish.PublishContext;
import dev.airgap.importer.publish.Publisher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Publishes {@code pypi} artifacts into {@code pypi/index.json}: one simple index for all channels.
 *
 * <p>Checks before anything is published: every file sits at {@code pypi/<project>/<file>} of its
 * own artifact, its name is a wheel or sdist of that project and version, and every wheel's
 * {@code .metadata} names the same project and version. Retention: every file of earlier
 * generations stays; a file name published again (from any channel) takes the newer bundle's
 * bytes, metadata and yanked state. Also publishes the channel's pip locks ({@code pypi/locks.json}).
 */
public final class PypiPublisher implements Publisher {
  private static final Set<String> RELEASES = Set.of("pypi");
  private static final Set<String> TYPES = Set.of("pypi", PipLock.TYPE);
  private static final int MAX_METADATA_BYTES = 16 << 20;
  private static final Pattern WHEEL = Pattern.compile("([A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?)-([^-]+)(?:-[0-9][^-]*)?-[^-]+-[^-]+-[^-]+\\.whl");
  private static final Pattern SDIST = Pattern.compile("(.+)-([^-]+)\\.(?:tar\\.gz|zip)");

  @Override
  public Set<String> types() {
    return TYPES;
  }

  @Override
  public void publish(PublishContext ctx) throws IOException {
    PypiIndex previous = ctx.previousGeneration().map(PypiIndex::read).orElse(PypiIndex.empty());
    Map<String, String> names = new TreeMap<>();
    Map<String, Map<String, PypiIndex.DistFile>> files = new TreeMap<>();
    previous.projects().forEach((k, p) -> {
      names.put(k, p.name());
      files.put(k, new HashMap<>(p.files()));
    });
    String channel = ctx.manifest().channel();
    String bundleId = ctx.manifest().bundleId();
    for (Artifact a : ctx.artifactsOf(RELEASES)) {
      String where = "pypi artifact '" + a.name() + "' " + a.version();
      String project = a.name();
      if (!PypiNames.isNormalized(project)) throw IntegrityException.malformed(where, "name is not a normalised project name");
      Map<String, ArtifactFile> byName = new TreeMap<>();
      String prefix = "pypi/" + project + "/";
      for (ArtifactFile f : a.files()) {
        String path = f.path().value();
        if (!path.startsWith(prefix) || path.indexOf('/', prefix.length()) >= 0) throw IntegrityException.malformed(where, "file '" + path + "' is not under " + prefix);
        byName.put(path.substring(prefix.length()), f);
      }
      Map<String, PypiIndex.DistFile> projectFiles = files.computeIfAbsent(project, k -> new HashMap<>());
      names.put(project, project);
      for (Map.Entry<String, ArtifactFile> e : byName.entrySet()) {
        String filename = e.getKey();
        if (filename.endsWith(".metadata")) {
          if (!byName.containsKey(filename.substring(0, filename.length() - ".metadata".length()))) {
            throw IntegrityException.malformed(where, "'" + filename + "' has no distribution file beside it");
          }
          continue;
        }
        boolean wheel = checkFilename(where, filename, project, a.version());
        ArtifactFile metadataFile = byName.get(filename + ".metadata");
        PypiIndex.Blob metadata = null;
        if (metadataFile != null) {
          checkMetadata(ctx, where + " " + filename + ".metadata", metadataFile, project, a.version());
          metadata = new PypiIndex.Blob(metadataFile.sha256(), metadataFile.size());
        } else if (wheel) {
          throw IntegrityException.malformed(where, "wheel '" + filename + "' comes without its .metadata file");
        }
        String yanked = a.properties().get("yanked:" + filename);
        projectFiles.put(filename, new PypiIndex.DistFile(a.version(), e.getValue().sha256(), e.getValue().size(),
            a.properties().get("requires-python"), metadata, yanked, channel, bundleId));
      }
    }
    Map<String, PypiIndex.Project> projects = new TreeMap<>();
    files.forEach((k, v) -> projects.put(k, new PypiIndex.Project(names.get(k), v)));
    new PypiIndex(projects).write(ctx.newGeneration());
    publishLocks(ctx);
  }

  /**
   * The channel's pip locks: computed from the verified manifest ({@link PipLock}), never taken
   * from the bundle; a {@code pypi-lock} artifact the bundle carries must be exactly what that
   * computation gives, else the import fails. A bundle with Python packages replaces its channel's
   * locks; other channels' locks stay.
   */
  private static void publishLocks(PublishContext ctx) throws IOException {
    PipLocks previous = ctx.previousGeneration().map(PipLocks::read).orElse(PipLocks.empty());
    List<Artifact> releases = ctx.artifactsOf(RELEASES);
    List<Artifact> carried = ctx.artifactsOf(Set.of(PipLock.TYPE));
    if (releases.isEmpty() && carried.isEmpty()) {
      if (!previous.channels().isEmpty()) previous.write(ctx.newGeneration());
      return;
    }
    String channel = ctx.manifest().channel();
    PipLock.Result computed = PipLock.of(channel, ctx.manifest().artifacts());
    if (carried.size() > 1) throw IntegrityException.malformed("manifest", carried.size() + " " + PipLock.TYPE + " artifacts (at most one)");
    Map<String, PipLocks.Lock> locks = new TreeMap<>();
    computed.locks().forEach((target, bytes) -> locks.put(target, new PipLocks.Lock(ctx.manifest().bundleId(), Digest.of(bytes), new String(bytes, StandardCharsets.UTF_8))));
    if (!carried.isEmpty()) checkCarried(carried.get(0), locks);
    Map<String, Map<String, PipLocks.Lock>> channels = new TreeMap<>(previous.channels());
    if (locks.isEmpty()) channels.remove(channel);
    else channels.put(channel, locks);
    new PipLocks(channels).write(ctx.newGeneration());
  }

  /** The bundle's {@code pypi-lock} artifact must hold exactly the computed locks, byte for byte. */
  private static void checkCarried(Artifact a, Map<String, PipLocks.Lock> computed) {
    String where = PipLock.TYPE + " artifact '" + a.name() + "' " + a.version();
    if (!a.name().equals(PipLock.NAME) || !a.version().equals(PipLock.VERSION)) {
      throw IntegrityException.malformed(where, "expected " + PipLock.NAME + " " + PipLock.VERSION);
    }
    Map<String, ArtifactFile> byPath = new TreeMap<>();
    for (ArtifactFile f : a.files()) byPath.put(f.path().value(), f);
    Map<String, PipLocks.Lock> expected = new TreeMap<>();
    computed.forEach((target, lock) -> expected.put(PipLock.path(target), lock));
    if (!byPath.keySet().equals(expected.keySet())) {
      throw IntegrityException.malformed(where, "carries " + byPath.keySet() + ", the manifest's pypi releases give " + expected.keySet());
    }
    for (Map.Entry<String, PipLocks.Lock> e : expected.entrySet()) {
      ArtifactFile f = byPath.get(e.getKey());
      PipLocks.Lock lock = e.getValue();
      long size = lock.text().getBytes(StandardCharsets.UTF_8).length;
      if (!f.sha256().equals(lock.sha256()) || f.size() != size) {
        throw IntegrityException.malformed(where, "'" + e.getKey() + "' (sha256 " + f.sha256().hex() + ") is not the lock the manifest's pypi releases give (sha256 "
            + lock.sha256().hex() + ")");
      }
    }
  }

  /** Returns whether it is a wheel; throws unless it is a distribution of {@code project} {@code version}. */
  private static boolean checkFilename(String where, String filename, String project, String version) {
    Matcher w = WHEEL.matcher(filename);
    Matcher s = SDIST.matcher(filename);
    Matcher m = w.matches() ? w : s.matches() && !filename.toLowerCase(Locale.ROOT).endsWith(".whl") ? s : null;
    if (m == null) throw IntegrityException.malformed(where, "'" + filename + "' is not a wheel or sdist file name");
    if (!PypiNames.normalize(m.group(1)).equals(project) || !sameVersion(m.group(2), version)) {
      throw IntegrityException.malformed(where, "'" + filename + "' is not a distribution of " + project + " " + version);
    }
    return m == w;
  }

  /** Version spellings are compared loosely (case, separators); the exporter canonicalised the artifact's. */
  private static boolean sameVersion(String a, String b) {
    return canonical(a).equals(canonical(b));
  }

  private static String canonical(String v) {
    return v.toLowerCase(Locale.ROOT).replaceAll("[-_.]", "").replace("alpha", "a").replace("beta", "b").replace("post", "").replace("rc", "c").replaceAll("(?<=\\D)0+(?=\\d)", "");
  }

  private static void checkMetadata(PublishContext ctx, String where, ArtifactFile f, String project, String version) {
    if (f.size() > MAX_METADATA_BYTES) throw IntegrityException.malformed(where, "over " + MAX_METADATA_BYTES + " bytes");
    String text;
    try (InputStream in = Files.newInputStream(ctx.blob(f.sha256()))) {
      text = new String(in.readNBytes(MAX_METADATA_BYTES), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw EnvironmentException.io(where, e);
    }
    String name = null;
    String ver = null;
    for (String line : text.split("\r?\n")) {
      if (line.isEmpty()) break;
      if (name == null && line.regionMatches(true, 0, "Name:", 0, 5)) name = line.substring(5).strip();
      if (ver == null && line.regionMatches(true, 0, "Version:", 0, 8)) ver = line.substring(8).strip();
    }
    if (name == null || ver == null || !PypiNames.normalize(name).equals(project) || !sameVersion(ver, version)) {
      throw IntegrityException.malformed(where, "metadata names " + name + " " + ver + ", not " + project + " " + version);
    }
  }
}
