package dev.airgap.core.error;

/**
 * Base of every failure airgap reports to a user. Each subclass is one class of failure with its own
 * documented process exit code (docs/cli.md); the message is the one line printed on stderr.
 */
public abstract class AirgapException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected AirgapException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Process exit code for this class of failure. */
  public abstract int exitCode();
}
