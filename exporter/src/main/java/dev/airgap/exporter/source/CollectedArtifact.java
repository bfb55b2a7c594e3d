package dev.airgap.exporter.source;

import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.manifest.Artifact;
import java.util.List;

/** An artifact ready for the manifest, with a source for each of its files' bytes. */
public record CollectedArtifact(Artifact artifact, List<BlobSource> blobs) {
  public CollectedArtifact {
    blobs = List.copyOf(blobs);
  }
}
