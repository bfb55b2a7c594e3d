package dev.airgap.importer.scan;

import java.nio.file.Path;

/**
 * Scans file content for malware before anything is published. Implementations fail closed: if the scanner itself
 * cannot give an answer (unreachable, timed out, garbled reply) they throw
 * {@link dev.airgap.core.error.EnvironmentException} rather than return a verdict; a per-file problem (too big to
 * scan, scan error for that file) is the verdict {@link ScanVerdict.Status#UNSCANNABLE}, which must be treated as a
 * rejection.
 *
 * <p>Implementations are safe for concurrent use.
 */
public interface ContentScanner {

  /**
   * Scans {@code file}, streaming it (never reading it into memory).
   *
   * @param label what to name in messages (blob digest, logical path)
   * @throws dev.airgap.core.error.EnvironmentException if the scanner could not give a verdict, or the file could not
   *     be read
   */
  ScanVerdict scan(Path file, String label);

  /** One line naming the scanner, for logs and the audit log, e.g. {@code clamd 127.0.0.1:3310}. */
  String describe();

  /**
   * Checks that the scanner answers before any content is read. The default does nothing; scanners that talk to a
   * daemon override it and throw {@link dev.airgap.core.error.EnvironmentException} when it does not answer.
   */
  default void ping() {}

  /** The scanner for {@code --no-scan}: every file is CLEAN without being looked at. */
  static ContentScanner none() {
    return NoScan.INSTANCE;
  }

  /** {@link #none()}. */
  enum NoScan implements ContentScanner {
    INSTANCE;

    private static final ScanVerdict NOT_SCANNED = ScanVerdict.clean("not scanned (--no-scan)");

    @Override
    public ScanVerdict scan(Path file, String label) {
      return NOT_SCANNED;
    }

    @Override
    public String describe() {
      return "none (--no-scan)";
    }
  }
}
