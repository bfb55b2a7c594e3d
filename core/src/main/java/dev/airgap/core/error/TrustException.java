package dev.airgap.core.error;

/** Signature, trust policy, rollback or expiry check failed. */
public class TrustException extends AirgapException {
  private static final long serialVersionUID = 1L;

  public TrustException(String message) {
    super(message, null);
  }

  public TrustException(String message, Throwable cause) {
    super(message, cause);
  }

  public static TrustException thresholdNotMet(String where, int required, int valid) {
    return new TrustException(where + ": trust policy needs " + required + " distinct trusted signature(s), found " + valid);
  }

  public static TrustException rollback(String channel, long sequence, long lastImported) {
    return new TrustException("channel '" + channel + "': sequence " + sequence
        + " is not above the last imported sequence " + lastImported + " (replayed or older bundle)");
  }

  public static TrustException expired(String bundleId, Object expires, Object now) {
    return new TrustException("bundle " + bundleId + ": expired at " + expires + " (now " + now + ")");
  }

  public static TrustException policy(String what) {
    return new TrustException(what);
  }

  @Override
  public int exitCode() {
    return ExitCodes.TRUST;
  }
}
