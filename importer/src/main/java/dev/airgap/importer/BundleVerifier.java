package dev.airgap.importer;

import dev.airgap.core.Digest;
import dev.airgap.core.Trace;
import dev.airgap.core.bundle.BundleHead;
import dev.airgap.core.bundle.BundleLayout;
import dev.airgap.core.bundle.BundleReader;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.TrustException;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.manifest.ManifestCodec;
import dev.airgap.sbom.SbomChecker;
import dev.airgap.signing.DsseEnvelope;
import dev.airgap.signing.TrustStore;
import dev.airgap.signing.TrustedSigner;
import dev.airgap.signing.Verification;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Checks a bundle's head in the order that keeps untrusted bytes away from everything else:
 * envelope signature and trust policy first, then that the manifest entry is the signed payload,
 * then the manifest itself, expiry, and the SBOM against the manifest. Blobs are not touched.
 */
public final class BundleVerifier {
  /** A head that passed every check, with the names of the trusted keys that signed it. */
  public record VerifiedHead(BundleHead head, Manifest manifest, Digest manifestDigest, List<String> signers) {}

  private record HeadDigests(Digest manifest, Digest sbom) {}

  private BundleVerifier() {}

  public static VerifiedHead verifyHead(BundleReader reader, TrustStore trust, Instant now) {
    VerifiedHead h = verifySignedHead(reader, trust, now);
    checkSbomAgreement(h);
    return h;
  }

  /**
   * Everything but the SBOM's component-by-component agreement with the manifest (its digest is
   * checked here, so its bytes are already authenticated); the importer runs that check while
   * blobs stream and waits for it before publishing.
   */
  public static VerifiedHead verifySignedHead(BundleReader reader, TrustStore trust, Instant now) {
    BundleHead head = reader.readHead();
    Trace.mark("head: read");
    // The two digests (several MB for a bundle of many files) are computed beside the signature
    // check and the manifest parse; they are only compared once both have passed.
    CompletableFuture<HeadDigests> digests = CompletableFuture.supplyAsync(() -> new HeadDigests(Digest.of(head.manifestBytes()), Digest.of(head.sbomBytes())));
    DsseEnvelope envelope = DsseEnvelope.parse(head.envelopeBytes());
    Trace.mark("head: envelope parse");
    Verification v = trust.verify(envelope, BundleLayout.ENVELOPE_PAYLOAD_TYPE);
    Trace.mark("head: signature");
    head.requireManifestIsSignedPayload(envelope.payload(), reader.path());
    Manifest manifest = ManifestCodec.decode(head.manifestBytes());
    Trace.mark("head: manifest decode");
    if (!now.isBefore(manifest.expires())) throw TrustException.expired(manifest.bundleId(), manifest.expires(), now);
    HeadDigests computed = digests.join();
    Digest sbomDigest = computed.sbom();
    if (head.sbomBytes().length != manifest.sbom().size()) {
      throw IntegrityException.sizeMismatch(reader.path() + ": " + BundleLayout.SBOM, manifest.sbom().size(), head.sbomBytes().length);
    }
    if (!sbomDigest.equals(manifest.sbom().sha256())) {
      throw IntegrityException.mismatch(reader.path() + ": " + BundleLayout.SBOM, manifest.sbom().sha256(), sbomDigest);
    }
    List<String> signers = v.validSigners().stream().map(TrustedSigner::name).toList();
    VerifiedHead verified = new VerifiedHead(head, manifest, computed.manifest(), signers);
    Trace.mark("head: SBOM and manifest digests");
    return verified;
  }

  /** Checks that the SBOM's components agree with the manifest (CycloneDX 1.6 schema included). */
  public static void checkSbomAgreement(VerifiedHead h) {
    SbomChecker.check(h.head().sbomBytes(), h.manifest());
  }

  /** Full check of every byte; publishes nothing. */
  public static VerifiedHead verifyAll(java.nio.file.Path bundle, TrustStore trust, Instant now) {
    try (BundleReader reader = BundleReader.open(bundle)) {
      VerifiedHead h = verifyHead(reader, trust, now);
      reader.verifyBlobs(h.manifest().blobSizes());
      return h;
    }
  }
}
