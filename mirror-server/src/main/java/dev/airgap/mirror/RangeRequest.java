package dev.airgap.mirror;

import java.util.List;

/**
 * The outcome of a {@code Range} header against a representation of a known size (RFC 9110 §14).
 * Only single byte ranges are honoured; everything else is ignored (a full 200), which the RFC
 * allows for any Range header: several ranges, other units, and anything malformed.
 */
sealed interface RangeRequest {
  /** No usable Range: send the whole representation. */
  record Full() implements RangeRequest {}

  /** A satisfiable single range, both ends inclusive. */
  record Partial(long first, long last) implements RangeRequest {
    long length() {
      return last - first + 1;
    }
  }

  /** A valid range that selects nothing: 416. */
  record Unsatisfiable() implements RangeRequest {}

  RangeRequest FULL = new Full();
  RangeRequest UNSATISFIABLE = new Unsatisfiable();

  /**
   * Interprets the Range header lines of a request. More than one line, or a value that is not
   * exactly {@code bytes=} followed by one range-spec (list commas with optional whitespace
   * around them and empty list elements are tolerated), gives {@link #FULL}.
   */
  static RangeRequest of(List<String> headerValues, long size) {
    if (headerValues == null || headerValues.size() != 1) return FULL;
    return parse(headerValues.get(0), size);
  }

  static RangeRequest parse(String value, long size) {
    if (value == null) return FULL;
    value = trimOws(value);
    int eq = value.indexOf('=');
    if (eq != 5 || !value.regionMatches(true, 0, "bytes", 0, 5)) return FULL;
    String spec = null;
    int count = 0;
    for (String element : value.substring(eq + 1).split(",", -1)) {
      String e = trimOws(element);
      if (e.isEmpty()) continue;
      count++;
      spec = e;
    }
    if (count != 1) return FULL;
    // Whitespace is allowed only around list commas: reject "bytes= 0-1" and "bytes=0 -1".
    String afterEq = value.substring(eq + 1);
    if (!afterEq.isEmpty() && isOws(afterEq.charAt(0))) return FULL;
    return parseSpec(spec, size);
  }

  private static RangeRequest parseSpec(String spec, long size) {
    int dash = spec.indexOf('-');
    if (dash < 0) return FULL;
    if (dash == 0) {
      long suffix = digits(spec, 1, spec.length());
      if (suffix < 0) return FULL;
      if (suffix == 0 || size == 0) return UNSATISFIABLE;
      return new Partial(Math.max(0, size - suffix), size - 1);
    }
    long first = digits(spec, 0, dash);
    if (first < 0) return FULL;
    long last;
    if (dash == spec.length() - 1) {
      last = Long.MAX_VALUE;
    } else {
      last = digits(spec, dash + 1, spec.length());
      if (last < 0 || last < first) return FULL;
    }
    if (first >= size) return UNSATISFIABLE;
    return new Partial(first, Math.min(last, size - 1));
  }

  /** 1*DIGIT (ASCII only) as a long; -1 when empty, not digits, or too large for a long. */
  private static long digits(String s, int from, int to) {
    if (from >= to) return -1;
    long value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      if (value > (Long.MAX_VALUE - (c - '0')) / 10) return -1;
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  private static String trimOws(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && isOws(s.charAt(a))) a++;
    while (b > a && isOws(s.charAt(b - 1))) b--;
    return s.substring(a, b);
  }
}
