package dev.airgap.core.bundle;

import dev.airgap.core.error.IntegrityException;
import java.util.Arrays;

/**
 * The three head entries of a bundle, as raw bytes: the manifest, its DSSE envelope and the SBOM.
 * Reading them never touches the blobs that follow.
 */
public record BundleHead(byte[] manifestBytes, byte[] envelopeBytes, byte[] sbomBytes) {
  /** The manifest entry must be exactly the payload the envelope signs; {@code where} names the bundle. */
  public void requireManifestIsSignedPayload(byte[] signedPayload, Object where) {
    if (!Arrays.equals(signedPayload, manifestBytes)) {
      throw IntegrityException.malformed(where + ": " + BundleLayout.MANIFEST, "differs from the signed payload in " + BundleLayout.ENVELOPE);
    }
  }
}
