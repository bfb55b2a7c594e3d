package dev.airgap.core.mirror.pypi;

import java.util.Locale;
import java.util.regex.Pattern;

/** Python package names (PEP 503 normalisation, PEP 508 validity), shared by exporter, publisher and route. */
public final class PypiNames {
  /** A valid project name (PEP 508): ASCII letters and digits, with . _ - inside. */
  public static final Pattern VALID = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,198}[A-Za-z0-9])?");
  /** A normalised project name: lower case, runs of . _ - replaced by one -. */
  public static final Pattern NORMALIZED = Pattern.compile("[a-z0-9]([a-z0-9-]{0,198}[a-z0-9])?");
  private static final Pattern SEPARATORS = Pattern.compile("[-_.]+");

  private PypiNames() {}

  /** PEP 503: {@code re.sub(r"[-_.]+", "-", name).lower()}. */
  public static String normalize(String name) {
    return SEPARATORS.matcher(name).replaceAll("-").toLowerCase(Locale.ROOT);
  }

  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  public static boolean isNormalized(String name) {
    return name != null && NORMALIZED.matcher(name).matches() && !name.contains("--");
  }
}
