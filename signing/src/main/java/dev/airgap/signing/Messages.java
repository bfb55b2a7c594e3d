package dev.airgap.signing;

/** Makes untrusted strings (envelope keyids, field names) safe to put in a one-line error message. */
final class Messages {
  private static final int MAX = 64;

  private Messages() {}

  static String clean(String s) {
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX) + 1);
    for (int i = 0; i < s.length() && out.length() < MAX; i++) {
      char c = s.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    if (s.length() > MAX) out.append('…');
    return out.toString();
  }

  /** A keyid for display: well-formed ids are shortened, anything else is sanitised. */
  static String keyid(String keyid) {
    if (keyid.isEmpty()) return "(no keyid)";
    if (KeyId.isKeyId(keyid)) return keyid.substring(0, 16) + "…";
    return clean(keyid);
  }
}
