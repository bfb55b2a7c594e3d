package dev.airgap.exporter.source.git;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Spec fields of a {@code type: git} entry (docs/git.md): the remote {@code url} (any URL JGit
 * fetches from, or a local path), the mirror repository {@code name}, and {@code refs}: {@code all}
 * (branches and tags) or a list of ref names and {@code refs/.../*} patterns.
 */
public record GitEntry(
    @JsonProperty(value = "type", required = true) String type,
    @JsonProperty(value = "url", required = true) String url,
    @JsonProperty("name") String name,
    @JsonProperty("refs") JsonNode refs) {}
