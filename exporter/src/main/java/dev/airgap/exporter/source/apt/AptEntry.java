package dev.airgap.exporter.source.apt;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Spec fields of a {@code type: apt} entry (docs/apt.md). */
public record AptEntry(
    @JsonProperty(value = "type", required = true) String type,
    @JsonProperty("url") String url,
    @JsonProperty(value = "suite", required = true) String suite,
    @JsonProperty("components") List<String> components,
    @JsonProperty("architectures") List<String> architectures,
    @JsonProperty("keyring") String keyring,
    @JsonProperty("packages") List<String> packages,
    @JsonProperty("recommends") Boolean recommends,
    @JsonProperty("debs") List<String> debs,
    @JsonProperty("vendor") String vendor) {}
