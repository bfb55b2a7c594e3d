package dev.airgap.exporter.source.oci;

import dev.airgap.core.Digest;
import dev.airgap.core.bundle.BlobSource;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where one repository's manifests and blobs come from: a registry, an OCI layout, or an unpacked
 * image archive. Everything it returns has been checked against its digest.
 */
interface ContentSource {
  /** A manifest or index, its media type and its (verified) digest. */
  record Fetched(byte[] bytes, String mediaType, Digest digest) {}

  /** Names the source in messages and in the artifact's properties. */
  String describe();

  /** The manifest a tag or digest names; empty when there is none. */
  Optional<Fetched> manifest(String reference);

  /** A file holding exactly the blob's bytes (digest and size verified). */
  Path blob(Digest digest, long size);

  /**
   * A layer for the bundle writer. By default it is fetched now ({@link #blob}); a registry
   * instead streams it when the bundle is written, verified there against digest and size, so
   * that its bytes are written once.
   */
  default BlobSource layer(Digest digest, long size) {
    return BlobSource.ofFile(blob(digest, size), digest, size);
  }

  /** The referrers of a manifest via the referrers API; empty when the source has no such API. */
  default Optional<Fetched> referrers(Digest subject) {
    return Optional.empty();
  }
}
