package dev.airgap.core.error;

import java.io.IOException;

/** The environment failed: I/O error, disk full, scanner unreachable, lock held. */
public class EnvironmentException extends AirgapException {
  private static final long serialVersionUID = 1L;

  public EnvironmentException(String message) {
    super(message, null);
  }

  public EnvironmentException(String message, Throwable cause) {
    super(message, cause);
  }

  /** An I/O failure on {@code where}, keeping the JDK's reason (e.g. "No space left on device"). */
  public static EnvironmentException io(Object where, IOException cause) {
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    return new EnvironmentException(where + ": I/O error: " + reason, cause);
  }

  @Override
  public int exitCode() {
    return ExitCodes.ENVIRONMENT;
  }
}
