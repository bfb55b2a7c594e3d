package dev.airgap.exporter.source.pypi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PEP 440 version, parsed from any accepted spelling and compared by the PEP's rules. */
public final class Version implements Comparable<Version> {
  private static final Pattern PATTERN = Pattern.compile(
      "v?(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)"
          + "(?<pre>[-_.]?(?<prel>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pren>[0-9]+)?)?"
          + "(?<post>(?:-(?<postn1>[0-9]+))|(?:[-_.]?(?<postl>post|rev|r)[-_.]?(?<postn2>[0-9]+)?))?"
          + "(?<dev>[-_.]?(?<devl>dev)[-_.]?(?<devn>[0-9]+)?)?"
          + "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?",
      Pattern.CASE_INSENSITIVE);
  private static final int MAX_DIGITS = 18;

  private final long epoch;
  private final long[] release;
  private final String preLabel; // a, b, rc or null
  private final long preNumber;
  private final long post; // -1 when absent
  private final long dev; // -1 when absent
  private final String local; // normalised with dots, or null
  private final String text;

  private Version(long epoch, long[] release, String preLabel, long preNumber, long post, long dev, String local) {
    this.epoch = epoch;
    this.release = release;
    this.preLabel = preLabel;
    this.preNumber = preNumber;
    this.post = post;
    this.dev = dev;
    this.local = local;
    this.text = render();
  }

  /** Parses a version; throws {@link IllegalArgumentException} when it is not PEP 440. */
  public static Version parse(String s) {
    Version v = tryParse(s);
    if (v == null) throw new IllegalArgumentException("not a PEP 440 version: '" + s + "'");
    return v;
  }

  /** Parses a version, or null when it is not PEP 440 (legacy versions are skipped, as pip does). */
  public static Version tryParse(String s) {
    if (s == null) return null;
    Matcher m = PATTERN.matcher(s.strip());
    if (!m.matches()) return null;
    try {
      long epoch = m.group("epoch") == null ? 0 : num(m.group("epoch"));
      String[] parts = m.group("release").split("\\.");
      long[] release = new long[parts.length];
      for (int i = 0; i < parts.length; i++) release[i] = num(parts[i]);
      String preLabel = null;
      long preNumber = 0;
      if (m.group("pre") != null) {
        preLabel = switch (m.group("prel").toLowerCase(Locale.ROOT)) {
          case "alpha", "a" -> "a";
          case "beta", "b" -> "b";
          default -> "rc";
        };
        preNumber = m.group("pren") == null ? 0 : num(m.group("pren"));
      }
      long post = -1;
      if (m.group("post") != null) {
        String n = m.group("postn1") != null ? m.group("postn1") : m.group("postn2");
        post = n == null ? 0 : num(n);
      }
      long dev = m.group("dev") == null ? -1 : m.group("devn") == null ? 0 : num(m.group("devn"));
      String local = m.group("local") == null ? null : m.group("local").toLowerCase(Locale.ROOT).replaceAll("[-_]", ".");
      return new Version(epoch, release, preLabel, preNumber, post, dev, local);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static long num(String digits) {
    String d = digits.replaceFirst("^0+(?=.)", "");
    if (d.length() > MAX_DIGITS) throw new NumberFormatException("too long");
    return Long.parseLong(d);
  }

  public boolean isPrerelease() {
    return preLabel != null || dev >= 0;
  }

  public boolean isPostrelease() {
    return post >= 0;
  }

  public boolean isDevrelease() {
    return dev >= 0;
  }

  public boolean hasLocal() {
    return local != null;
  }

  public long epoch() {
    return epoch;
  }

  /** The release segment, e.g. {@code [1, 2, 0]}. */
  public long[] release() {
    return release.clone();
  }

  /** The version without its local label. */
  public Version publicVersion() {
    return local == null ? this : new Version(epoch, release, preLabel, preNumber, post, dev, null);
  }

  /** Epoch and release only ({@code 1!2.0} of {@code 1!2.0rc1.post1}). */
  public Version baseVersion() {
    return new Version(epoch, release, null, 0, -1, -1, null);
  }

  private String render() {
    StringBuilder b = new StringBuilder();
    if (epoch != 0) b.append(epoch).append('!');
    for (int i = 0; i < release.length; i++) {
      if (i > 0) b.append('.');
      b.append(release[i]);
    }
    if (preLabel != null) b.append(preLabel).append(preNumber);
    if (post >= 0) b.append(".post").append(post);
    if (dev >= 0) b.append(".dev").append(dev);
    if (local != null) b.append('+').append(local);
    return b.toString();
  }

  /** The canonical (normalised) spelling. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public int compareTo(Version o) {
    int c = Long.compare(epoch, o.epoch);
    if (c != 0) return c;
    int n = Math.max(release.length, o.release.length);
    for (int i = 0; i < n; i++) {
      c = Long.compare(i < release.length ? release[i] : 0, i < o.release.length ? o.release[i] : 0);
      if (c != 0) return c;
    }
    c = Integer.compare(preRank(), o.preRank());
    if (c != 0) return c;
    if (preLabel != null && o.preLabel != null) {
      c = Long.compare(preNumber, o.preNumber);
      if (c != 0) return c;
    }
    c = Long.compare(post, o.post);
    if (c != 0) return c;
    // dev absent sorts after any dev release
    c = Long.compare(dev < 0 ? Long.MAX_VALUE : dev, o.dev < 0 ? Long.MAX_VALUE : o.dev);
    if (c != 0) return c;
    return compareLocal(local, o.local);
  }

  /** -1 for a bare dev release (before any pre-release), 0..2 for a/b/rc, 3 for none. */
  private int preRank() {
    if (preLabel == null) return (post < 0 && dev >= 0) ? -1 : 3;
    return switch (preLabel) {
      case "a" -> 0;
      case "b" -> 1;
      default -> 2;
    };
  }

  private static int compareLocal(String a, String b) {
    if (Objects.equals(a, b)) return 0;
    if (a == null) return -1;
    if (b == null) return 1;
    List<String> x = List.of(a.split("\\."));
    List<String> y = List.of(b.split("\\."));
    for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
      String p = x.get(i);
      String q = y.get(i);
      boolean pn = p.chars().allMatch(Character::isDigit);
      boolean qn = q.chars().allMatch(Character::isDigit);
      int c;
      if (pn && qn) c = new java.math.BigInteger(p).compareTo(new java.math.BigInteger(q));
      else if (pn) c = 1; // numeric segments sort after alphanumeric ones
      else if (qn) c = -1;
      else c = p.compareTo(q);
      if (c != 0) return c;
    }
    return Integer.compare(x.size(), y.size());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Version v && compareTo(v) == 0;
  }

  @Override
  public int hashCode() {
    // consistent with equals: trailing zeros of the release do not count
    int end = release.length;
    while (end > 1 && release[end - 1] == 0) end--;
    List<Long> r = new ArrayList<>();
    for (int i = 0; i < end; i++) r.add(release[i]);
    return Objects.hash(epoch, r, preLabel, preLabel == null ? 0 : preNumber, post, dev, local);
  }
}
