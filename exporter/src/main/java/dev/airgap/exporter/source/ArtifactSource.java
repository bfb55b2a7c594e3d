package dev.airgap.exporter.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.manifest.Artifact;
import java.util.List;

/**
 * The exporter side of one ecosystem slice: turns one artifact entry of an export spec into
 * artifacts with their files hashed, and tells the writer where each blob's bytes come from.
 */
public interface ArtifactSource {
  /** The spec {@code type} this source handles, e.g. {@code files}. */
  String type();

  /**
   * Collects the artifacts one spec entry names. {@code entry} is the raw spec node (the source
   * parses and checks its own fields); {@code where} names it for error messages.
   */
  List<CollectedArtifact> collect(JsonNode entry, String where, ExportContext context);

  /**
   * Artifacts derived from everything one export collected (all entries, all types), added to the
   * bundle after them: e.g. the pip locks of the {@code pypi} releases. Called once per export for
   * each source type the spec used; none by default.
   */
  default List<CollectedArtifact> derive(String channel, List<Artifact> collected) {
    return List.of();
  }
}
