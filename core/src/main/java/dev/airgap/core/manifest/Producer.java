package dev.airgap.core.manifest;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Who wrote the bundle: tool name and version, and the host it ran on. */
@JsonPropertyOrder({"tool", "version", "host"})
public record Producer(String tool, String version, String host) {}
