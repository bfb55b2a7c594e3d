package dev.airgap.cli;

/** Byte counts for people. */
final class Sizes {
  private Sizes() {}

  static String human(long bytes) {
    if (bytes < 1024) return bytes + " B";
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[i]);
  }
}
