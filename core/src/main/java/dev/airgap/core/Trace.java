package dev.airgap.core;

import java.lang.management.ManagementFactory;

/**
 * Phase timings on stderr when the environment sets {@code AIRGAP_TRACE=1}: where an import or
 * export spends its wall time, measured from JVM start. Off by default; costs one branch when off.
 */
public final class Trace {
  private static final boolean ON = "1".equals(System.getenv("AIRGAP_TRACE"));
  private static long last = -1;

  private Trace() {}

  public static boolean enabled() {
    return ON;
  }

  /** Records that {@code phase} just ended. */
  public static synchronized void mark(String phase) {
    if (!ON) return;
    long now = System.nanoTime();
    if (last < 0) {
      long sinceStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
      System.err.printf("trace: %-40s %6d ms since JVM start%n", phase, sinceStart);
      now = System.nanoTime(); // the first mark's own cost (JMX start-up) is nobody's phase
    } else {
      System.err.printf("trace: %-40s %6.1f ms%n", phase, (now - last) / 1e6);
    }
    last = now;
  }
}
