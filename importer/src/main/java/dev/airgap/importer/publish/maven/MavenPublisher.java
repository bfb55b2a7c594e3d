package dev.airgap.importer.publish.maven;

import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.mirror.maven.MavenIndex;
import dev.airgap.importer.publish.PublishContext;
import dev.airgap.importer.publish.Publisher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.maven.artifact.versioning.ComparableVersion;

/**
 * Publishes {@code maven} artifacts into {@code maven/index.json}: one maven2 repository shared by
 * all channels. Every file gets its SHA-1, SHA-512 and MD5 here (read once from the verified blob),
 * and every artifact's version list is updated for {@code maven-metadata.xml}.
 *
 * <p>Retention: every file and version of earlier imports stays published; a repository path in
 * the new bundle replaces the file an earlier bundle (of any channel) published at that path.
 *
 * <p>A Maven artifact whose files are not at its own coordinates' repository paths is refused:
 * the name, version and paths the reviewer saw must be what clients get.
 */
public final class MavenPublisher implements Publisher {
  public static final String TYPE = "maven";
  private static final Set<String> TYPES = Set.of(TYPE);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}");
  /** What follows {@code artifactId-version} in a file name: an optional classifier, then the extension(s). */
  private static final Pattern FILE_SUFFIX = Pattern.compile("(-[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?\\.[A-Za-z0-9]+(\\.[A-Za-z0-9]+){0,3}");
  /** Names the mirror generates itself and never takes from a bundle. */
  private static final Pattern GENERATED = Pattern.compile(".*\\.(sha1|sha256|sha512|md5)$|maven-metadata.*");
  private static final DateTimeFormatter LAST_UPDATED = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

  @Override
  public Set<String> types() {
    return TYPES;
  }

  @Override
  public void publish(PublishContext ctx) throws IOException {
    MavenIndex previous = ctx.previousGeneration().map(MavenIndex::read).orElse(MavenIndex.empty());
    Map<String, MavenIndex.FileEntry> files = new TreeMap<>(previous.files());
    Map<String, MavenIndex.ArtifactVersions> metadata = new TreeMap<>(previous.metadata());
    String lastUpdated = LAST_UPDATED.format(ctx.now());
    for (Artifact a : ctx.artifactsOf(TYPES)) {
      Coordinates c = Coordinates.of(a);
      for (ArtifactFile f : a.files()) {
        String repoPath = c.checkPath(f.path().value());
        MavenIndex.FileEntry earlier = files.get(repoPath);
        MavenIndex.FileEntry entry = earlier != null && earlier.sha256().equals(f.sha256()) && earlier.size() == f.size()
            ? new MavenIndex.FileEntry(f.sha256(), f.size(), f.mediaType(), earlier.sha1(), earlier.sha512(), earlier.md5(), ctx.manifest().bundleId(), ctx.manifest().channel())
            : checksummed(ctx, f);
        files.put(repoPath, entry);
      }
      String key = MavenIndex.ArtifactVersions.key(c.groupId(), c.artifactId());
      MavenIndex.ArtifactVersions known = metadata.get(key);
      if (known == null || !known.versions().contains(c.version())) metadata.put(key, withVersion(c, known, lastUpdated));
    }
    new MavenIndex(files, metadata).write(ctx.newGeneration());
  }

  private static MavenIndex.ArtifactVersions withVersion(Coordinates c, MavenIndex.ArtifactVersions known, String lastUpdated) {
    Set<String> set = new LinkedHashSet<>(known == null ? List.of() : known.versions());
    set.add(c.version());
    List<String> versions = new ArrayList<>(set);
    versions.sort(Comparator.comparing(ComparableVersion::new));
    String latest = versions.get(versions.size() - 1);
    String release = versions.stream().filter(v -> !v.endsWith("-SNAPSHOT")).reduce((x, y) -> y).orElse(null);
    return new MavenIndex.ArtifactVersions(c.groupId(), c.artifactId(), versions, latest, release, lastUpdated);
  }

  /** SHA-1, SHA-512 and MD5 of a verified blob, in one streaming pass. */
  private static MavenIndex.FileEntry checksummed(PublishContext ctx, ArtifactFile f) {
    Path blob = ctx.blob(f.sha256());
    MessageDigest sha1 = md("SHA-1");
    MessageDigest sha512 = md("SHA-512");
    MessageDigest md5 = md("MD5");
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(blob)) {
      int n;
      while ((n = in.read(buf)) != -1) {
        sha1.update(buf, 0, n);
        sha512.update(buf, 0, n);
        md5.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw EnvironmentException.io(blob, e);
    }
    HexFormat hex = HexFormat.of();
    return new MavenIndex.FileEntry(f.sha256(), f.size(), f.mediaType(), hex.formatHex(sha1.digest()), hex.formatHex(sha512.digest()), hex.formatHex(md5.digest()),
        ctx.manifest().bundleId(), ctx.manifest().channel());
  }

  private static MessageDigest md(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " missing from the JDK", e);
    }
  }

  /** An artifact's {@code groupId:artifactId} name and version, checked. */
  record Coordinates(String groupId, String artifactId, String version, String where) {
    static Coordinates of(Artifact a) {
      String where = "maven artifact '" + a.name() + "' " + a.version();
      String[] ga = a.name().split(":", -1);
      if (ga.length != 2 || !ID.matcher(ga[0]).matches() || !ID.matcher(ga[1]).matches() || ga[0].contains("..")) {
        throw IntegrityException.malformed(where, "name must be groupId:artifactId");
      }
      if (!VERSION.matcher(a.version()).matches() || a.version().contains("..")) throw IntegrityException.malformed(where, "unacceptable version");
      return new Coordinates(ga[0], ga[1], a.version(), where);
    }

    /** The repository path of a logical path, which must lie in this artifact's version directory and be named after it. */
    String checkPath(String logicalPath) {
      String dir = MavenIndex.LOGICAL_PREFIX + groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/";
      String stem = artifactId + "-" + version;
      if (logicalPath.startsWith(dir)) {
        String name = logicalPath.substring(dir.length());
        if (name.startsWith(stem) && FILE_SUFFIX.matcher(name.substring(stem.length())).matches() && !GENERATED.matcher(name).matches()) {
          return logicalPath.substring(MavenIndex.LOGICAL_PREFIX.length());
        }
      }
      throw IntegrityException.malformed(where, "file '" + logicalPath + "' is not a file of this artifact in maven2 layout (" + dir + stem + "[-classifier].ext)");
    }
  }
}
