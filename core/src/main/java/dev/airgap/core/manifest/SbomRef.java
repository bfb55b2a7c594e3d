package dev.airgap.core.manifest;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Digest;

/** The SBOM entry of the bundle, bound to the signed manifest by size and digest. */
@JsonPropertyOrder({"path", "size", "sha256", "mediaType"})
public record SbomRef(String path, long size, Digest sha256, String mediaType) {}
