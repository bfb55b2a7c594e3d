package dev.airgap.core.manifest;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Digest;
import dev.airgap.core.LogicalPath;
import java.util.Objects;

/**
 * One file of an artifact: its logical path (unique within the channel's namespace for its type),
 * exact size, SHA-256 and media type. The bytes travel as blob {@code blobs/sha256/<hex>}.
 */
@JsonPropertyOrder({"path", "size", "sha256", "mediaType"})
public record ArtifactFile(LogicalPath path, long size, Digest sha256, String mediaType) {
  public ArtifactFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(mediaType, "mediaType");
    if (size < 0) throw new IllegalArgumentException("negative size");
  }
}
