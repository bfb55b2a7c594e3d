package dev.airgap.importer.publish;

import java.io.IOException;
import java.util.Set;

/**
 * The importer side of one ecosystem slice: given a verified, scanned bundle, writes that
 * ecosystem's index into the new generation (carrying forward what earlier generations published).
 * Blobs are already in the content store; publishers write only index files.
 */
public interface Publisher {
  /** Artifact types this publisher handles. */
  Set<String> types();

  void publish(PublishContext context) throws IOException;
}
