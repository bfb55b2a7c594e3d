package dev.airgap.core.mirror.oci;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Json;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The index of the OCI slice in a generation, {@code oci/index.json}: repository → tags,
 * manifests (media type, size, and what the referrers API needs) and blobs. The mirror serves
 * {@code /v2/<repository>/...} from it alone; digests are keys into the content store.
 */
public record OciIndex(Map<String, Repository> repositories) {
  public static final String RELATIVE_PATH = "oci/index.json";

  public OciIndex {
    repositories = Collections.unmodifiableMap(new TreeMap<>(repositories));
  }

  /**
   * One repository: {@code tags} (tag → manifest digest), {@code manifests} (digest → entry) and
   * {@code blobs} (digest → size: configs, layers and any other blob a manifest references).
   */
  @JsonPropertyOrder({"tags", "manifests", "blobs"})
  public record Repository(Map<String, String> tags, Map<String, ManifestEntry> manifests, Map<String, Long> blobs) {
    public Repository {
      tags = Collections.unmodifiableMap(new TreeMap<>(tags));
      manifests = Collections.unmodifiableMap(new TreeMap<>(manifests));
      blobs = Collections.unmodifiableMap(new TreeMap<>(blobs));
    }
  }

  /**
   * A manifest or index: its media type and size, and for the referrers API its {@code
   * artifactType} (or config media type), {@code subject} digest and annotations (null when
   * absent); {@code bundleId} names the bundle that brought it.
   */
  @JsonPropertyOrder({"mediaType", "size", "artifactType", "subject", "annotations", "bundleId"})
  public record ManifestEntry(String mediaType, long size, String artifactType, String subject, Map<String, String> annotations, String bundleId) {
    public ManifestEntry {
      annotations = annotations == null ? null : Collections.unmodifiableMap(new TreeMap<>(annotations));
    }
  }

  public static OciIndex empty() {
    return new OciIndex(Map.of());
  }

  /** Reads and checks the index of a generation; a generation without one has no images. */
  public static OciIndex read(Path generationDir) {
    Path file = generationDir.resolve(RELATIVE_PATH);
    if (!Files.exists(file)) return empty();
    OciIndex index;
    try {
      index = Json.strict().readValue(file.toFile(), OciIndex.class);
    } catch (IOException e) {
      throw IntegrityException.malformed(file.toString(), "unreadable OCI index: " + e.getMessage(), e);
    }
    index.check(file.toString());
    return index;
  }

  public void write(Path generationDir) throws IOException {
    Path file = generationDir.resolve(RELATIVE_PATH);
    Files.createDirectories(file.getParent());
    Files.write(file, Json.strict().writeValueAsBytes(this));
  }

  /** Every name, tag and digest well-formed, every tag naming a manifest of its repository. */
  void check(String where) {
    repositories.forEach((name, repo) -> {
      if (!OciNames.isRepository(name)) throw IntegrityException.malformed(where, "bad repository name '" + name + "'");
      repo.manifests().forEach((d, m) -> {
        if (!OciNames.isDigest(d) || m.mediaType() == null || m.size() < 0) throw IntegrityException.malformed(where, name + ": bad manifest entry " + d);
        if (m.subject() != null && !OciNames.isDigest(m.subject())) throw IntegrityException.malformed(where, name + ": bad subject of " + d);
      });
      repo.blobs().forEach((d, size) -> {
        if (!OciNames.isDigest(d) || size == null || size < 0) throw IntegrityException.malformed(where, name + ": bad blob entry " + d);
      });
      repo.tags().forEach((tag, d) -> {
        if (!OciNames.isTag(tag) || !repo.manifests().containsKey(d)) throw IntegrityException.malformed(where, name + ": tag '" + tag + "' names no manifest");
      });
    });
  }
}
