package dev.airgap.exporter;

import dev.airgap.core.Digest;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.bundle.BundleHead;
import dev.airgap.core.bundle.BundleReader;
import dev.airgap.core.bundle.BundleWriter;
import dev.airgap.core.manifest.Manifest;
import dev.airgap.core.manifest.ManifestCodec;
import dev.airgap.signing.DsseEnvelope;
import dev.airgap.signing.SigningKey;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Adds a reviewer's signature to a bundle. The manifest bytes stay exactly as they are (the new
 * signature covers the same payload); the bundle is rewritten with the extended envelope, and
 * every blob is verified on the way through, so nobody co-signs a corrupted bundle.
 */
public final class CoSigner {
  /** The rewritten bundle, its manifest and the key ids that have now signed it. */
  public record Result(Path bundle, Manifest manifest, List<String> keyIds) {}

  private CoSigner() {}

  public static Result cosign(Path bundle, Path keyFile, Path out) {
    SigningKey key = SigningKey.load(keyFile);
    Path target = out == null ? bundle : out;
    try (BundleReader reader = BundleReader.open(bundle)) {
      BundleHead head = reader.readHead();
      DsseEnvelope envelope = DsseEnvelope.parse(head.envelopeBytes());
      head.requireManifestIsSignedPayload(envelope.payload(), bundle);
      Manifest manifest = ManifestCodec.decode(head.manifestBytes());
      DsseEnvelope signed = envelope.withSignature(key);
      try (BundleWriter writer = BundleWriter.create(target, manifest.created())) {
        writer.writeHead(new BundleHead(head.manifestBytes(), signed.toJson(), head.sbomBytes()));
        reader.readBlobs(manifest.blobSizes(), (digest, size, content) -> writer.writeBlob(streamSource(digest, size, content, bundle)));
        writer.commit();
      }
      return new Result(target, manifest, signed.signatures().stream().map(s -> s.keyid()).toList());
    }
  }

  private static BlobSource streamSource(Digest digest, long size, InputStream content, Path bundle) {
    return new BlobSource() {
      @Override public Digest digest() { return digest; }
      @Override public long size() { return size; }
      @Override public String origin() { return bundle + ": blob " + digest; }
      @Override public InputStream open() { return content; }
    };
  }
}
