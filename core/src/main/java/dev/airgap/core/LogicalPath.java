package dev.airgap.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.airgap.core.error.IntegrityException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/**
 * A relative, slash-separated path that names a file inside an artifact or a channel (the path a
 * client asks for). The one guard every archive and manifest path passes through: no absolute
 * paths, no {@code .}/{@code ..} segments, no empty segments, no backslashes or control characters,
 * no invisible format characters (Unicode category Cf: bidirectional controls such as U+202E, which
 * between {@code evil} and {@code txt.exe} make a reviewer's terminal show {@code evilexe.txt}, zero-width
 * characters, U+FEFF) and no line or paragraph separators, NFC-normalised, bounded length.
 */
public record LogicalPath(@JsonValue String value) {
  public static final int MAX_LENGTH = 4096;
  public static final int MAX_SEGMENT_BYTES = 255;

  public LogicalPath {
    String problem = problem(value);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  @JsonCreator
  static LogicalPath fromJson(String value) {
    return parse("manifest path", value);
  }

  /** Parses and checks a path; {@code where} names the field or entry for the error message. */
  public static LogicalPath parse(String where, String value) {
    String problem = problem(value);
    if (problem != null) {
      throw IntegrityException.malformed(where, "unsafe path '" + printable(value) + "': " + problem);
    }
    return new LogicalPath(value);
  }

  /** Returns null when the path is acceptable, else why it is not. */
  public static String problem(String value) {
    if (value == null || value.isEmpty()) return "empty path";
    if (value.length() > MAX_LENGTH) return "longer than " + MAX_LENGTH + " characters";
    if (value.startsWith("/")) return "absolute path";
    if (value.endsWith("/")) return "trailing slash";
    if (!Normalizer.isNormalized(value, Normalizer.Form.NFC)) return "not in Unicode NFC form";
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) return "control character";
      if (c == '\\') return "backslash";
      if (c == ':' && i == 1) return "drive letter";
      if (Character.isSurrogate(c) && !validSurrogateAt(value, i)) return "unpaired surrogate";
      int cp = Character.isHighSurrogate(c) ? value.codePointAt(i) : c;
      int type = Character.getType(cp);
      if (type == Character.FORMAT) return String.format("invisible format character U+%04X", cp);
      if (type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) return String.format("line or paragraph separator U+%04X", cp);
    }
    for (String segment : value.split("/", -1)) {
      if (segment.isEmpty()) return "empty segment";
      if (segment.equals(".") || segment.equals("..")) return "'" + segment + "' segment";
      if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) return "segment longer than " + MAX_SEGMENT_BYTES + " bytes";
    }
    return null;
  }

  /**
   * Key under which two paths collide on case-insensitive or normalising file systems and clients
   * (NFKC plus case folding): two files of one namespace must not share it.
   */
  public String collisionKey() {
    return Normalizer.normalize(value, Normalizer.Form.NFKC).toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
  }

  public LogicalPath resolve(String child) {
    return new LogicalPath(value + "/" + child);
  }

  @Override
  public String toString() {
    return value;
  }

  private static boolean validSurrogateAt(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  /** A string made safe for a one-line message: see {@link Printable#escape(String)}, bounded length. */
  public static String printable(String s) {
    return Printable.escape(s, 200);
  }
}
