package dev.airgap.importer;

import dev.airgap.core.Digest;
import dev.airgap.core.bundle.BundleHead;
import dev.airgap.core.bundle.BundleReader;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.manifest.ManifestCodec;
import dev.airgap.signing.DsseEnvelope;
import dev.airgap.signing.TrustStore;
import dev.airgap.signing.Verification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a reviewer sees: the manifest and who signed it, read from the head only (fast whatever
 * the bundle's size). With a trust store, also which signatures are valid and whether the policy
 * is met. Blob bytes are not checked here; {@code airgap verify} does that.
 */
public record Inspection(Path bundle, long bundleBytes, Manifest manifest, Digest manifestDigest, List<String> signatureKeyIds,
    Optional<Verification> trust) {

  public static Inspection of(Path bundle, Optional<TrustStore> trustStore) {
    try (BundleReader reader = BundleReader.open(bundle)) {
      BundleHead head = reader.readHead();
      DsseEnvelope envelope = DsseEnvelope.parse(head.envelopeBytes());
      head.requireManifestIsSignedPayload(envelope.payload(), bundle);
      Manifest manifest = ManifestCodec.decode(head.manifestBytes());
      List<String> keyIds = envelope.signatures().stream().map(s -> s.keyid()).toList();
      Optional<Verification> v = trustStore.map(t -> t.evaluate(envelope));
      return new Inspection(bundle, Files.size(bundle), manifest, Digest.of(head.manifestBytes()), keyIds, v);
    } catch (IOException e) {
      throw EnvironmentException.io(bundle, e);
    }
  }
}
