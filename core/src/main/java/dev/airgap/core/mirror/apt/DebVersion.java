package dev.airgap.core.mirror.apt;

import java.util.regex.Pattern;

/**
 * A Debian package version {@code [epoch:]upstream[-revision]}, ordered as dpkg orders versions
 * (deb-version(7)): epochs numerically, then upstream and revision by dpkg's algorithm, in which
 * {@code ~} sorts before everything, even the end of the string.
 */
public record DebVersion(long epoch, String upstream, String revision) implements Comparable<DebVersion> {
  private static final Pattern UPSTREAM = Pattern.compile("[0-9][A-Za-z0-9.+~:-]*");
  private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9.+~]+");

  public static DebVersion parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 256) throw new IllegalArgumentException("bad version '" + text + "'");
    String rest = text;
    long epoch = 0;
    int colon = rest.indexOf(':');
    if (colon >= 0) {
      String e = rest.substring(0, colon);
      if (e.isEmpty() || e.length() > 9 || !e.chars().allMatch(Character::isDigit)) throw new IllegalArgumentException("bad epoch in version '" + text + "'");
      epoch = Long.parseLong(e);
      rest = rest.substring(colon + 1);
    }
    String revision = "";
    int dash = rest.lastIndexOf('-');
    if (dash >= 0) {
      revision = rest.substring(dash + 1);
      rest = rest.substring(0, dash);
      if (!REVISION.matcher(revision).matches()) throw new IllegalArgumentException("bad revision in version '" + text + "'");
    }
    if (!UPSTREAM.matcher(rest).matches() || (colon < 0 && rest.indexOf(':') >= 0)) throw new IllegalArgumentException("bad version '" + text + "'");
    if (rest.indexOf(':') >= 0) throw new IllegalArgumentException("bad version '" + text + "'");
    return new DebVersion(epoch, rest, revision);
  }

  /** The version without its epoch, as it appears in pool file names. */
  public String withoutEpoch() {
    return revision.isEmpty() ? upstream : upstream + "-" + revision;
  }

  @Override
  public int compareTo(DebVersion o) {
    int c = Long.compare(epoch, o.epoch);
    if (c != 0) return c;
    c = compareFragment(upstream, o.upstream);
    if (c != 0) return c;
    return compareFragment(revision, o.revision);
  }

  @Override
  public String toString() {
    return (epoch > 0 ? epoch + ":" : "") + withoutEpoch();
  }

  private static int order(char c) {
    if (Character.isDigit(c)) return 0;
    if (Character.isLetter(c)) return c;
    if (c == '~') return -1;
    return c + 256;
  }

  /** dpkg's verrevcmp. */
  static int compareFragment(String a, String b) {
    int i = 0, j = 0;
    while (i < a.length() || j < b.length()) {
      int firstDiff = 0;
      while ((i < a.length() && !Character.isDigit(a.charAt(i))) || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
        int ac = i < a.length() ? order(a.charAt(i)) : 0;
        int bc = j < b.length() ? order(b.charAt(j)) : 0;
        if (ac != bc) return Integer.compare(ac, bc);
        i++;
        j++;
      }
      while (i < a.length() && a.charAt(i) == '0') i++;
      while (j < b.length() && b.charAt(j) == '0') j++;
      while (i < a.length() && Character.isDigit(a.charAt(i)) && j < b.length() && Character.isDigit(b.charAt(j))) {
        if (firstDiff == 0) firstDiff = a.charAt(i) - b.charAt(j);
        i++;
        j++;
      }
      if (i < a.length() && Character.isDigit(a.charAt(i))) return 1;
      if (j < b.length() && Character.isDigit(b.charAt(j))) return -1;
      if (firstDiff != 0) return Integer.signum(firstDiff);
    }
    return 0;
  }
}
