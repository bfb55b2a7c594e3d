package dev.airgap.importer.publish;

import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.mirror.MirrorLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a publisher works with: the new bundle's manifest, the previous generation (read-only) and
 * the new generation directory being built (not yet visible to readers).
 */
public record PublishContext(Manifest manifest, Optional<Path> previousGeneration, Path newGeneration, MirrorLayout layout) {
  public List<Artifact> artifactsOf(java.util.Set<String> types) {
    return manifest.artifacts().stream().filter(a -> types.contains(a.type())).toList();
  }
}
