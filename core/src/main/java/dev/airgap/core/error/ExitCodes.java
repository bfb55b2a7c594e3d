package dev.airgap.core.error;

/** Documented process exit codes (docs/cli.md). */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int USAGE = 2;
  public static final int INTEGRITY = 3;
  public static final int TRUST = 4;
  public static final int CONTENT_REJECTED = 5;
  public static final int ENVIRONMENT = 6;
  public static final int INTERNAL = 70;

  private ExitCodes() {}
}
