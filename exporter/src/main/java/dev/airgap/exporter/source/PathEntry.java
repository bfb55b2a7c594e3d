package dev.airgap.exporter.source;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Spec fields of an entry that exports a local file or directory: {@code files} and {@code model} (docs/export-spec.md). */
public record PathEntry(
    @JsonProperty(value = "type", required = true) String type,
    @JsonProperty(value = "path", required = true) String path,
    @JsonProperty("name") String name,
    @JsonProperty("version") String version,
    @JsonProperty("prefix") String prefix) {}
