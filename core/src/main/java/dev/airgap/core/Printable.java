package dev.airgap.core;

/**
 * The one escaping for text a human reads (inspect and verify output, error messages, audit output): a path or an
 * upstream-provided string could otherwise carry characters a terminal does not show as themselves - line breaks and
 * other controls that forge extra lines or move the cursor, bidirectional overrides and other invisible format
 * characters (U+202E between {@code evil} and {@code txt.exe} shows as
 * {@code evilexe.txt}), separators, unassigned and private-use
 * code points. Each such code point becomes a backslash escape: {@code \x} and two hex digits up to U+00FF, else {@code \}{@code u} and
 * four ({@code \}{@code U} and eight for a supplementary code point); every other
 * character stays as it is, so escaped text is unchanged by escaping again.
 */
public final class Printable {
  private Printable() {}

  /** {@code s} with every code point a terminal might not show as itself escaped; "null" for null. */
  public static String escape(String s) {
    if (s == null) return "null";
    int i = 0;
    while (i < s.length() && shown(s.codePointAt(i))) i += Character.charCount(s.codePointAt(i));
    if (i == s.length()) return s;
    StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (shown(cp)) b.appendCodePoint(cp);
      else if (cp <= 0xff) b.append(String.format("\\x%02x", cp));
      else if (cp <= 0xffff) b.append(String.format("\\u%04X", cp));
      else b.append(String.format("\\U%08X", cp));
      i += Character.charCount(cp);
    }
    return b.toString();
  }

  /** {@link #escape} of {@code String.valueOf(o)}. */
  public static String escape(Object o) {
    return escape(String.valueOf(o));
  }

  /** A message as one line: line breaks become spaces, then {@link #escape}; "unknown error" for null. */
  public static String oneLine(String message) {
    if (message == null) return "unknown error";
    return escape(message.replace('\n', ' ').replace('\r', ' '));
  }

  /** {@link #escape}, cut to at most about {@code max} characters (for one-line messages). */
  public static String escape(String s, int max) {
    String e = escape(s);
    if (e.length() <= max) return e;
    int end = Character.isHighSurrogate(e.charAt(max - 1)) ? max - 1 : max;
    return e.substring(0, end) + "...";
  }

  /** Whether a terminal shows the code point as itself: not a control, format, separator (but space), surrogate, unassigned or private-use one. */
  public static boolean shown(int cp) {
    if (cp == ' ') return true;
    switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR,
          Character.SURROGATE, Character.UNASSIGNED, Character.PRIVATE_USE -> {
        return false;
      }
      default -> {
        return true;
      }
    }
  }
}
