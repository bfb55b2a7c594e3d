package dev.airgap.exporter.source.oci;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Spec fields of a {@code type: oci} entry (docs/oci.md). Exactly one of {@code images} (from
 * registries), {@code layout} (an OCI image layout directory) or {@code archive} (a {@code docker
 * save} / {@code podman save} tar) names where the images come from.
 */
public record OciEntry(
    @JsonProperty(value = "type", required = true) String type,
    @JsonProperty("images") List<String> images,
    @JsonProperty("registries") Map<String, Registry> registries,
    @JsonProperty("auth") String auth,
    @JsonProperty("layout") String layout,
    @JsonProperty("archive") String archive,
    @JsonProperty("repository") String repository,
    @JsonProperty("tags") List<String> tags,
    @JsonProperty("platforms") List<String> platforms,
    @JsonProperty("keepWholeIndex") Boolean keepWholeIndex,
    @JsonProperty("signatures") Boolean signatures) {

  /** How to reach one registry host named in image references: its base URL and credentials file. */
  public record Registry(@JsonProperty(value = "url", required = true) String url, @JsonProperty("auth") String auth) {}

  boolean keepWhole() {
    return Boolean.TRUE.equals(keepWholeIndex);
  }

  boolean withSignatures() {
    return Boolean.TRUE.equals(signatures);
  }
}
