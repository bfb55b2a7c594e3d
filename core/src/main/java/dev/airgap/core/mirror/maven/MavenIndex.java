package dev.airgap.core.mirror.maven;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The index of the Maven slice in a generation: {@code maven/index.json}. One maven2 repository for
 * all channels, served at {@code /maven2/}:
 *
 * <ul>
 *   <li>{@code files}: repository path (e.g. {@code org/example/lib/1.0/lib-1.0.jar}) → blob, with
 *       the SHA-1, SHA-512 and MD5 computed at import time, so that checksum files are never
 *       computed from request text or on the request path;
 *   <li>{@code metadata}: {@code groupId-as-path/artifactId} → the versions published for that
 *       artifact, from which the mirror renders {@code maven-metadata.xml}.
 * </ul>
 */
public record MavenIndex(Map<String, FileEntry> files, Map<String, ArtifactVersions> metadata) {
  public static final String RELATIVE_PATH = "maven/index.json";
  /** Where the bundle's logical paths of Maven files start; the rest is the maven2 repository path. */
  public static final String LOGICAL_PREFIX = "maven2/";
  /** {@code maven-metadata.xml}'s {@code lastUpdated} format (UTC). */
  public static final Pattern LAST_UPDATED = Pattern.compile("\\d{14}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

  public MavenIndex {
    files = Collections.unmodifiableMap(new TreeMap<>(files));
    metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  /** One served file: its blob and every checksum Maven clients ask for. */
  @JsonPropertyOrder({"sha256", "size", "mediaType", "sha1", "sha512", "md5", "bundleId", "channel"})
  public record FileEntry(Digest sha256, long size, String mediaType, String sha1, String sha512, String md5, String bundleId, String channel) {
    public FileEntry {
      if (size < 0) throw new IllegalArgumentException("negative size");
      requireHex("sha1", sha1, 40);
      requireHex("sha512", sha512, 128);
      requireHex("md5", md5, 32);
    }

    /** The hex checksum for a checksum-file extension ({@code sha1}, {@code sha256}, {@code sha512}, {@code md5}), or null. */
    public String checksum(String extension) {
      return switch (extension) {
        case "sha1" -> sha1;
        case "sha256" -> sha256.hex();
        case "sha512" -> sha512;
        case "md5" -> md5;
        default -> null;
      };
    }
  }

  /**
   * The published versions of one artifact, in Maven's version order (oldest first), with the
   * derived {@code latest} / {@code release} and the time (UTC, {@code yyyyMMddHHmmss}) of the
   * import that last changed the list.
   */
  @JsonPropertyOrder({"groupId", "artifactId", "versions", "latest", "release", "lastUpdated"})
  public record ArtifactVersions(String groupId, String artifactId, List<String> versions, String latest, String release, String lastUpdated) {
    public ArtifactVersions {
      versions = List.copyOf(versions);
      if (versions.isEmpty()) throw new IllegalArgumentException("no versions");
      if (lastUpdated == null || !LAST_UPDATED.matcher(lastUpdated).matches()) throw new IllegalArgumentException("bad lastUpdated");
    }

    /** The key of this artifact in {@link MavenIndex#metadata}: {@code org/example/lib}. */
    public static String key(String groupId, String artifactId) {
      return groupId.replace('.', '/') + "/" + artifactId;
    }
  }

  private static void requireHex(String what, String value, int length) {
    if (value == null || value.length() != length || !HEX.matcher(value).matches()) throw new IllegalArgumentException(what + ": not " + length + " lowercase hex digits");
  }

  public static MavenIndex empty() {
    return new MavenIndex(Map.of(), Map.of());
  }

  /** Reads the index of a generation; a generation without one publishes no Maven files. */
  public static MavenIndex read(Path generationDir) {
    Path file = generationDir.resolve(RELATIVE_PATH);
    if (!Files.exists(file)) return empty();
    try {
      return Json.strict().readValue(file.toFile(), MavenIndex.class);
    } catch (IOException | IllegalArgumentException e) {
      throw IntegrityException.malformed(file.toString(), "unreadable maven index: " + e.getMessage(), e);
    }
  }

  public void write(Path generationDir) throws IOException {
    Path file = generationDir.resolve(RELATIVE_PATH);
    Files.createDirectories(file.getParent());
    Files.write(file, Json.strict().writeValueAsBytes(this));
  }
}
