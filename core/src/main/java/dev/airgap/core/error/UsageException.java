package dev.airgap.core.error;

/** Bad command-line usage or an invalid spec/configuration file. */
public class UsageException extends AirgapException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message, null);
  }

  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitCode() {
    return ExitCodes.USAGE;
  }
}
