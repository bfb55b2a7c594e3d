package dev.airgap.importer;

import java.nio.file.Path;

/**
 * One import: the bundle, the mirror directory, the trust directory, and either a clamd address
 * ({@code HOST:PORT}) or {@code noScan}. {@code refusePickle} adds to the trust policy's own rule. {@code repoSigningKey} (nullable) is the enclave's OpenPGP
 * secret key that signs published repository metadata (apt's {@code InRelease}).
 */
public record ImportRequest(Path bundle, Path mirror, Path trustDir, String clamdAddress, boolean noScan, boolean refusePickle, Path repoSigningKey) {
  public ImportRequest(Path bundle, Path mirror, Path trustDir, String clamdAddress, boolean noScan, boolean refusePickle) {
    this(bundle, mirror, trustDir, clamdAddress, noScan, refusePickle, null);
  }
}
