package dev.airgap.importer.publish;

import dev.airgap.core.Digest;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.mirror.MirrorLayout;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What a publisher works with: the new bundle's manifest, the previous generation (read-only), the
 * new generation directory being built (not yet visible to readers), where each of the bundle's
 * verified and scanned blobs can be read ({@link #blob}), the import's clock, and the enclave's
 * repository signing key (an OpenPGP secret key, for ecosystems whose clients check signed
 * metadata, such as apt) when the operator gave one.
 *
 * <p>A publisher may throw {@link dev.airgap.core.error.AirgapException}s (e.g. an {@code
 * IntegrityException} for content that fails the ecosystem's own checks): the import then fails
 * and the published mirror stays as it was.
 */
public record PublishContext(Manifest manifest, Optional<Path> previousGeneration, Path newGeneration, MirrorLayout layout,
    Function<Digest, Path> blobLocator, Instant now, Optional<Path> repoSigningKey) {

  public List<Artifact> artifactsOf(Set<String> types) {
    return manifest.artifacts().stream().filter(a -> types.contains(a.type())).toList();
  }

  /**
   * The file holding the verified bytes of {@code digest}: a blob of this bundle (still staged) or
   * one already in the store. Read-only: never modify or move it.
   */
  public Path blob(Digest digest) {
    return blobLocator.apply(digest);
  }
}
