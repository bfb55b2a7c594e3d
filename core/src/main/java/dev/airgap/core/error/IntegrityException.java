package dev.airgap.core.error;

/** The bundle is malformed or its bytes do not match what the signed manifest says. */
public class IntegrityException extends AirgapException {
  private static final long serialVersionUID = 1L;

  public IntegrityException(String message) {
    super(message, null);
  }

  public IntegrityException(String message, Throwable cause) {
    super(message, cause);
  }

  public static IntegrityException mismatch(String where, Object expected, Object actual) {
    return new IntegrityException(where + ": digest mismatch: expected " + expected + ", got " + actual);
  }

  public static IntegrityException sizeMismatch(String where, long expected, long actual) {
    return new IntegrityException(where + ": size mismatch: expected " + expected + " bytes, got " + actual);
  }

  public static IntegrityException malformed(String where, String what) {
    return new IntegrityException(where + ": " + what);
  }

  public static IntegrityException malformed(String where, String what, Throwable cause) {
    return new IntegrityException(where + ": " + what, cause);
  }

  @Override
  public int exitCode() {
    return ExitCodes.INTEGRITY;
  }
}
