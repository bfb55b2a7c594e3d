package dev.airgap.core.manifest;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One artifact of a bundle: a set of files of one ecosystem type ({@code files}, {@code model},
 * later {@code pypi}, {@code apt}, ...), identified by name, version and package URL. {@code
 * properties} carries ecosystem-specific facts (sorted for deterministic output).
 */
@JsonPropertyOrder({"type", "name", "version", "purl", "properties", "files"})
public record Artifact(String type, String name, String version, String purl, Map<String, String> properties, List<ArtifactFile> files) {
  public Artifact {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(purl, "purl");
    properties = properties == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(properties));
    files = List.copyOf(files);
  }

  public long totalSize() {
    return files.stream().mapToLong(ArtifactFile::size).sum();
  }
}
