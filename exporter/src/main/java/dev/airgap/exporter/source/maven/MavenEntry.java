package dev.airgap.exporter.source.maven;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Spec fields of a {@code type: maven} entry (docs/maven.md).
 *
 * @param repositories the upstream repositories, searched in order (http, https or file URLs)
 * @param artifacts coordinates {@code groupId:artifactId[:extension[:classifier]]:version}, each
 *     with its runtime dependencies unless {@code transitive: false}
 * @param plugins build plugins {@code groupId:artifactId:version}, each with the dependencies Maven
 *     loads it with
 * @param project a {@code pom.xml} (or its directory): the reactor it heads is exported as the
 *     enclave's {@code mvn} will need it to build
 * @param phases the lifecycle phases the enclave will run on {@code project} (default
 *     {@code clean}, {@code install}): the packaging's default plugins up to these are included
 * @param transitive whether {@code artifacts} bring their dependencies (default true)
 */
public record MavenEntry(
    @JsonProperty(value = "type", required = true) String type,
    @JsonProperty(value = "repositories", required = true) List<Repository> repositories,
    @JsonProperty("artifacts") List<String> artifacts,
    @JsonProperty("plugins") List<String> plugins,
    @JsonProperty("project") String project,
    @JsonProperty("phases") List<String> phases,
    @JsonProperty("transitive") Boolean transitive) {

  /** One upstream repository: an id (used in messages) and its base URL. */
  public record Repository(@JsonProperty(value = "id", required = true) String id, @JsonProperty(value = "url", required = true) String url) {}

  public List<String> artifacts() {
    return artifacts == null ? List.of() : artifacts;
  }

  public List<String> plugins() {
    return plugins == null ? List.of() : plugins;
  }

  public List<String> phases() {
    return phases == null ? List.of("clean", "install") : phases;
  }

  public boolean isTransitive() {
    return transitive == null || transitive;
  }
}
