package dev.airgap.importer.scan;

import dev.airgap.core.error.ContentRejectedException;
import java.util.Objects;

/**
 * The scanner's verdict on one file.
 *
 * @param status CLEAN, INFECTED or UNSCANNABLE
 * @param detail the scanner's words: the signature name for INFECTED (e.g. {@code Win.Test.EICAR_HDB-1}), the reason
 *     for UNSCANNABLE (e.g. {@code INSTREAM size limit exceeded}), {@code OK} (or why nothing was scanned) for CLEAN
 */
public record ScanVerdict(Status status, String detail) {

  public enum Status {
    /** Scanned completely, nothing found. */
    CLEAN,
    /** A signature matched; {@link #detail()} is its name. */
    INFECTED,
    /** The scanner could not scan this file (over the scan limit, scan error for this file). Treat as rejected. */
    UNSCANNABLE
  }

  public ScanVerdict {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }

  public static ScanVerdict clean(String detail) {
    return new ScanVerdict(Status.CLEAN, detail);
  }

  public static ScanVerdict infected(String signature) {
    return new ScanVerdict(Status.INFECTED, signature);
  }

  public static ScanVerdict unscannable(String reason) {
    return new ScanVerdict(Status.UNSCANNABLE, reason);
  }

  public boolean isClean() {
    return status == Status.CLEAN;
  }

  /**
   * Returns this verdict if CLEAN, otherwise throws the {@link ContentRejectedException} (exit code 5) naming
   * {@code label}, e.g. {@code sha256:ab..: malware found: Win.Test.EICAR_HDB-1}.
   */
  public ScanVerdict requireClean(String label) {
    switch (status) {
      case CLEAN:
        return this;
      case INFECTED:
        throw new ContentRejectedException(label + ": malware found: " + detail);
      default:
        throw new ContentRejectedException(label + ": could not be scanned: " + detail);
    }
  }
}
