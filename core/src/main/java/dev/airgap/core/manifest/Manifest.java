package dev.airgap.core.manifest;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Digest;
import dev.airgap.core.error.IntegrityException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The signed description of a bundle (docs/bundle-format.md §Manifest). Everything an importer
 * trusts about the bundle comes from here, after the signature over its exact bytes is verified.
 */
@JsonPropertyOrder({"formatVersion", "bundleId", "channel", "sequence", "created", "expires", "producer", "sbom", "artifacts"})
public record Manifest(
    int formatVersion,
    String bundleId,
    String channel,
    long sequence,
    Instant created,
    Instant expires,
    Producer producer,
    SbomRef sbom,
    List<Artifact> artifacts) {

  public static final int FORMAT_VERSION = 1;
  public static final Pattern CHANNEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  public static final Pattern BUNDLE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  public static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  public Manifest {
    artifacts = List.copyOf(artifacts);
  }

  /**
   * Checks the manifest's own consistency: format version, names, times, paths, and that one
   * digest never claims two sizes. Throws {@link IntegrityException} naming the field at fault.
   */
  public Manifest validate() {
    if (formatVersion != FORMAT_VERSION) {
      throw IntegrityException.malformed("manifest.formatVersion", "unsupported format version " + formatVersion + " (this airgap reads " + FORMAT_VERSION + ")");
    }
    require(bundleId != null && BUNDLE_ID.matcher(bundleId).matches(), "manifest.bundleId", "must match " + BUNDLE_ID.pattern());
    require(channel != null && CHANNEL.matcher(channel).matches(), "manifest.channel", "must match " + CHANNEL.pattern());
    require(sequence >= 1, "manifest.sequence", "must be at least 1");
    require(created != null, "manifest.created", "missing");
    require(expires != null, "manifest.expires", "missing");
    require(expires.isAfter(created), "manifest.expires", "must be after created");
    require(producer != null, "manifest.producer", "missing");
    require(sbom != null && sbom.sha256() != null && sbom.size() >= 0, "manifest.sbom", "missing or incomplete");
    requireTrimmedValues();
    Map<Digest, Long> sizes = new HashMap<>();
    Map<String, String> namespaceKeys = new HashMap<>();
    for (int i = 0; i < artifacts.size(); i++) {
      Artifact a = artifacts.get(i);
      String where = "manifest.artifacts[" + i + "]";
      require(a != null, where, "null artifact");
      require(TYPE.matcher(a.type()).matches(), where + ".type", "must match " + TYPE.pattern());
      require(!a.name().isBlank(), where + ".name", "empty");

      for (int j = 0; j < a.files().size(); j++) {
        ArtifactFile f = a.files().get(j);
        String fwhere = where + ".files[" + j + "]";
        require(f != null, fwhere, "null file");
        Long prior = sizes.putIfAbsent(f.sha256(), f.size());
        if (prior != null && prior != f.size()) {
          throw IntegrityException.malformed(fwhere, "digest " + f.sha256() + " is listed with sizes " + prior + " and " + f.size());
        }
        // Paths share one namespace per type within a channel; a collision after case folding or
        // Unicode normalisation would make two files one on the client's side.
        String key = namespaceOf(a.type()) + "\u0000" + f.path().collisionKey();
        String priorPath = namespaceKeys.putIfAbsent(key, f.path().value());
        if (priorPath != null) {
          throw IntegrityException.malformed(fwhere + ".path", "'" + f.path() + "' collides with '" + priorPath + "' (duplicate, case or Unicode collision)");
        }
      }
    }
    return this;
  }

  /** Every distinct blob of the bundle with its size, in the order blobs are stored (digest order). */
  public SortedMap<String, Long> blobSizes() {
    SortedMap<String, Long> blobs = new TreeMap<>();
    for (Artifact a : artifacts) {
      for (ArtifactFile f : a.files()) blobs.put(f.sha256().hex(), f.size());
    }
    return blobs;
  }

  public long totalBlobBytes() {
    return blobSizes().values().stream().mapToLong(Long::longValue).sum();
  }

  /** Artifacts grouped by type, preserving manifest order. */
  public Map<String, List<Artifact>> artifactsByType() {
    Map<String, List<Artifact>> byType = new LinkedHashMap<>();
    for (Artifact a : artifacts) byType.computeIfAbsent(a.type(), t -> new java.util.ArrayList<>()).add(a);
    return byType;
  }

  /** Files and model weights are served from one tree per channel, so they share a namespace. */
  private static String namespaceOf(String type) {
    return type.equals("model") ? "files" : type;
  }

  /**
   * SBOM tools trim strings, so a name, version, purl, property, path or media type with
   * surrounding whitespace could not be carried faithfully into the SBOM.
   */
  public void requireTrimmedValues() {
    for (int i = 0; i < artifacts.size(); i++) {
      Artifact a = artifacts.get(i);
      String where = "manifest.artifacts[" + i + "]";
      requireTrimmed(a.name(), where + ".name");
      requireTrimmed(a.version(), where + ".version");
      requireTrimmed(a.purl(), where + ".purl");
      a.properties().forEach((k, v) -> {
        requireTrimmed(k, where + ".properties");
        requireTrimmed(v, where + ".properties." + k);
      });
      for (int j = 0; j < a.files().size(); j++) {
        ArtifactFile f = a.files().get(j);
        requireTrimmed(f.path().value(), where + ".files[" + j + "].path");
        requireTrimmed(f.mediaType(), where + ".files[" + j + "].mediaType");
      }
    }
  }

  private static void requireTrimmed(String value, String where) {
    if (!value.strip().equals(value)) throw IntegrityException.malformed(where, "'" + value + "' has leading or trailing whitespace");
  }

  private static void require(boolean ok, String where, String what) {
    if (!ok) throw IntegrityException.malformed(where, what);
  }

  public Manifest withSbom(SbomRef newSbom) {
    return new Manifest(formatVersion, bundleId, channel, sequence, created, expires, producer, Objects.requireNonNull(newSbom), artifacts);
  }
}
