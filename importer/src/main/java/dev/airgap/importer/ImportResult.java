package dev.airgap.importer;

import dev.airgap.core.manifest.Manifest;
import java.util.List;

/** What an import did: published a new generation, or found the identical bundle already imported. */
public record ImportResult(Outcome outcome, Manifest manifest, long generation, List<String> signers, int blobsWritten, long bytesWritten) {
  public enum Outcome { PUBLISHED, ALREADY_IMPORTED }
}
