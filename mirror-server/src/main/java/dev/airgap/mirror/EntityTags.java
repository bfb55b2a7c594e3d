package dev.airgap.mirror;

import java.util.List;

/** Entity-tag lists of If-None-Match, If-Match and If-Range (RFC 9110 §8.8.3, §13.1). */
final class EntityTags {
  private EntityTags() {}

  /**
   * Whether any tag in the header lines matches {@code ourTag} (a quoted strong tag); {@code *}
   * matches. Weak comparison ignores {@code W/}; strong comparison never matches a weak tag. A
   * malformed list matches nothing.
   */
  static boolean anyMatches(List<String> headerValues, String ourTag, boolean strong) {
    for (String value : headerValues) {
      if (listMatches(value, ourTag, strong)) return true;
    }
    return false;
  }

  /** If-Range: true only for a strong tag equal to ours; a date or weak tag never matches here. */
  static boolean ifRangeMatches(String value, String ourTag) {
    if (value == null) return false;
    String v = value.strip();
    return v.startsWith("\"") && v.equals(ourTag) && wellFormedTag(v);
  }

  private static boolean listMatches(String value, String ourTag, boolean strong) {
    int i = 0;
    int n = value.length();
    boolean matched = false;
    boolean expectElement = true;
    while (i < n) {
      char c = value.charAt(i);
      if (c == ' ' || c == '\t') {
        i++;
      } else if (c == ',') {
        expectElement = true;
        i++;
      } else if (!expectElement) {
        return false;
      } else if (c == '*') {
        matched = true;
        expectElement = false;
        i++;
      } else {
        boolean weak = false;
        if (c == 'W' && i + 1 < n && value.charAt(i + 1) == '/') {
          weak = true;
          i += 2;
        }
        if (i >= n || value.charAt(i) != '"') return false;
        int close = value.indexOf('"', i + 1);
        if (close < 0) return false;
        String tag = value.substring(i, close + 1);
        if (!wellFormedTag(tag)) return false;
        if (tag.equals(ourTag) && !(strong && weak)) matched = true;
        expectElement = false;
        i = close + 1;
      }
    }
    return matched;
  }

  /** DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E (obs-text refused). */
  private static boolean wellFormedTag(String tag) {
    if (tag.length() < 2 || tag.charAt(0) != '"' || tag.charAt(tag.length() - 1) != '"') return false;
    for (int i = 1; i < tag.length() - 1; i++) {
      char c = tag.charAt(i);
      if (c < 0x21 || c == '"' || c > 0x7e) return false;
    }
    return true;
  }
}
