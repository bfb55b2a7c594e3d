package dev.airgap.exporter.source.pypi;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Spec fields of a {@code type: pypi} entry (docs/pypi.md). */
public record PypiEntry(
    @JsonProperty(value = "type", required = true) String type,
    @JsonProperty("indexes") List<String> indexes,
    @JsonProperty("wheelhouse") String wheelhouse,
    @JsonProperty("requirements") List<String> requirements,
    @JsonProperty("requirementsFile") String requirementsFile,
    @JsonProperty(value = "targets", required = true) List<Target> targets) {

  /** One Python version and the platforms it runs on; each pair is resolved on its own. */
  public record Target(@JsonProperty(value = "python", required = true) String python, @JsonProperty("platforms") List<String> platforms) {}
}
