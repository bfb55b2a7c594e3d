package dev.airgap.exporter.source.pypi;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One PEP 440 version clause such as {@code >=2.31}, {@code ~=1.4.2}, {@code ==2.1.*} or {@code !=1.5}. */
public record Specifier(String operator, String versionText, Version version, boolean wildcard) {
  private static final Pattern PATTERN = Pattern.compile("\\s*(~=|===|==|!=|<=|>=|<|>)\\s*([^\\s,;]+)\\s*");

  public static Specifier parse(String text) {
    Matcher m = PATTERN.matcher(text);
    if (!m.matches()) throw new IllegalArgumentException("invalid version specifier '" + text.strip() + "'");
    String op = m.group(1);
    String v = m.group(2);
    if (op.equals("===")) return new Specifier(op, v, Version.tryParse(v), false);
    boolean wildcard = v.endsWith(".*");
    if (wildcard && !op.equals("==") && !op.equals("!=")) throw new IllegalArgumentException("'.*' is only allowed with == and != in '" + text.strip() + "'");
    Version version = Version.tryParse(wildcard ? v.substring(0, v.length() - 2) : v);
    if (version == null) throw new IllegalArgumentException("invalid version in specifier '" + text.strip() + "'");
    if (op.equals("~=") && (version.release().length < 2 || version.hasLocal())) throw new IllegalArgumentException("'~=' needs a version with at least two parts in '" + text.strip() + "'");
    if (version.hasLocal() && !op.equals("==") && !op.equals("!=")) throw new IllegalArgumentException("local versions are only allowed with == and != in '" + text.strip() + "'");
    return new Specifier(op, v, version, wildcard);
  }

  /** Whether the clause names a pre-release itself, which lets pre-releases match (PEP 440). */
  public boolean allowsPrereleases() {
    return switch (operator) {
      case "==", ">=", "<=", "~=", "===" -> version != null && version.isPrerelease();
      default -> false;
    };
  }

  /** Exact pins ({@code ==V} without a wildcard, or {@code ===}) let yanked files match (PEP 592). */
  public boolean isExactPin() {
    return operator.equals("===") || (operator.equals("==") && !wildcard);
  }

  /** Whether {@code v} satisfies the clause, ignoring pre-release policy (the set applies it). */
  public boolean matches(Version v) {
    switch (operator) {
      case "===":
        return versionText.equalsIgnoreCase(v.toString());
      case "==":
        return wildcard ? prefixMatch(v) : (version.hasLocal() ? v.equals(version) : v.publicVersion().equals(version));
      case "!=":
        return !(wildcard ? prefixMatch(v) : (version.hasLocal() ? v.equals(version) : v.publicVersion().equals(version)));
      case "<=":
        return v.publicVersion().compareTo(version) <= 0;
      case ">=":
        return v.publicVersion().compareTo(version) >= 0;
      case "<":
        if (v.compareTo(version) >= 0) return false;
        // <V excludes pre-releases of V itself unless V is one
        return version.isPrerelease() || !v.isPrerelease() || !v.baseVersion().equals(version.baseVersion());
      case ">":
        if (v.publicVersion().compareTo(version) <= 0) return false;
        // >V excludes post-releases and local versions of V itself unless V is a post-release
        if (!version.isPostrelease() && v.isPostrelease() && v.baseVersion().equals(version.baseVersion())) return false;
        return !(v.hasLocal() && v.baseVersion().equals(version.baseVersion()));
      case "~=":
        long[] r = version.release();
        long[] prefix = Arrays.copyOf(r, r.length - 1);
        return v.publicVersion().compareTo(version) >= 0 && releasePrefix(v, version.epoch(), prefix);
      default:
        return false;
    }
  }

  private boolean prefixMatch(Version v) {
    Version p = version;
    if (p.isPrerelease() || p.isPostrelease()) {
      // ==1.0rc1.* : compare the candidate's canonical text against the prefix
      return v.publicVersion().toString().startsWith(p.toString());
    }
    return releasePrefix(v, p.epoch(), p.release());
  }

  private static boolean releasePrefix(Version v, long epoch, long[] prefix) {
    if (v.epoch() != epoch) return false;
    long[] r = v.release();
    for (int i = 0; i < prefix.length; i++) {
      long have = i < r.length ? r[i] : 0;
      if (have != prefix[i]) return false;
    }
    return true;
  }

  @Override
  public String toString() {
    return operator + versionText;
  }
}
