package dev.airgap.core.error;

/** The content scanner rejected a file (malware, unscannable, over the scan limit) or a content policy refused it. */
public class ContentRejectedException extends AirgapException {
  private static final long serialVersionUID = 1L;

  public ContentRejectedException(String message) {
    super(message, null);
  }

  public ContentRejectedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int exitCode() {
    return ExitCodes.CONTENT_REJECTED;
  }
}
