package dev.airgap.mirror;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict decoding of request paths for routes. A raw path is percent-decoded exactly once, segment
 * by segment; anything odd makes the whole path unacceptable (null), which routes answer with 404:
 * raw non-ASCII or control characters, a {@code %} not followed by two hex digits, bytes that are not
 * well-formed UTF-8 (overlong forms such as {@code %c0%ae} included), and a segment that decodes to
 * something containing {@code /} ({@code %2f}). {@code %252e} decodes to the three characters
 * {@code %2e} and is never decoded again. What is left must still pass the caller's own check
 * (e.g. {@code LogicalPath.problem}), which rejects {@code .}, {@code ..}, empty segments,
 * backslashes and NUL.
 */
public final class MirrorPaths {
  /** Longer raw paths are refused outright (LogicalPath allows 4096 characters, encoded at most 3 bytes each). */
  public static final int MAX_RAW_LENGTH = 3 * 4096 + 256;

  private MirrorPaths() {}

  /** Decodes one raw segment; null when unacceptable or when it decodes to something containing '/'. */
  public static String decodeSegment(String raw) {
    String decoded = decode(raw);
    return decoded == null || decoded.indexOf('/') >= 0 ? null : decoded;
  }

  /** Decodes a raw slash-separated path segment by segment; null when any segment is unacceptable. */
  public static String decodePath(String raw) {
    if (raw == null || raw.length() > MAX_RAW_LENGTH) return null;
    if (raw.indexOf('%') < 0) return isPlainAscii(raw) ? raw : null;
    StringBuilder out = new StringBuilder(raw.length());
    int start = 0;
    while (true) {
      int slash = raw.indexOf('/', start);
      String segment = decodeSegment(slash < 0 ? raw.substring(start) : raw.substring(start, slash));
      if (segment == null) return null;
      out.append(segment);
      if (slash < 0) return out.toString();
      out.append('/');
      start = slash + 1;
    }
  }

  private static String decode(String raw) {
    if (raw == null || raw.length() > MAX_RAW_LENGTH) return null;
    if (raw.indexOf('%') < 0) return isPlainAscii(raw) ? raw : null;
    ByteBuffer bytes = ByteBuffer.allocate(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) return null;
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0 || raw.charAt(i + 1) > 'f' || raw.charAt(i + 2) > 'f') return null;
        bytes.put((byte) (hi << 4 | lo));
        i += 2;
      } else if (c > 0x20 && c < 0x7f) {
        bytes.put((byte) c);
      } else {
        return null;
      }
    }
    bytes.flip();
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = decoder.decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean isPlainAscii(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c <= 0x20 || c >= 0x7f) return false;
    }
    return true;
  }
}
