package dev.airgap.core.mirror.apt;

import java.util.regex.Pattern;

/**
 * The names apt metadata may carry into file names and URLs, checked before any is used: package
 * names (Debian policy §5.6.1), architectures, suites and components. The pool path of a package
 * is built from checked names only, never taken from upstream metadata.
 */
public final class AptNames {
  public static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]{1,127}");
  public static final Pattern ARCHITECTURE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
  public static final Pattern SUITE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
  public static final Pattern COMPONENT = Pattern.compile("[a-z0-9][a-z0-9._+-]{0,63}");
  public static final String MEDIA_TYPE = "application/vnd.debian.binary-package";

  private AptNames() {}

  /**
   * {@code pool/<component>/<prefix>/<name>/<name>_<version without epoch>_<arch>.deb}, where the
   * prefix is the first letter of the name ({@code lib} + one letter for library packages), as in
   * Debian's archive.
   */
  public static String poolPath(String component, String name, DebVersion version, String architecture) {
    check(COMPONENT, component, "component");
    check(PACKAGE, name, "package name");
    check(ARCHITECTURE, architecture, "architecture");
    String prefix = name.startsWith("lib") && name.length() > 3 ? name.substring(0, 4) : name.substring(0, 1);
    return "pool/" + component + "/" + prefix + "/" + name + "/" + name + "_" + version.withoutEpoch() + "_" + architecture + ".deb";
  }

  public static String check(Pattern pattern, String value, String what) {
    if (value == null || !pattern.matcher(value).matches()) throw new IllegalArgumentException("bad " + what + " '" + value + "' (must match " + pattern.pattern() + ")");
    return value;
  }
}
