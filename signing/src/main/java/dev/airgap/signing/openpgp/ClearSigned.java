package dev.airgap.signing.openpgp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed cleartext-signed message (RFC 4880 §7): the text with dash-escaping undone, and the
 * armored signature block. Strict: nothing may precede the header or follow the signature but
 * blank lines, so no unsigned text can ride along with the signed part.
 */
record ClearSigned(List<String> lines, String armoredSignature) {
  static final String BEGIN = "-----BEGIN PGP SIGNED MESSAGE-----";
  static final String BEGIN_SIGNATURE = "-----BEGIN PGP SIGNATURE-----";
  static final String END_SIGNATURE = "-----END PGP SIGNATURE-----";

  /** Parses a message; throws {@link IllegalArgumentException} saying what is wrong. */
  static ClearSigned parse(byte[] message) {
    String all = new String(message, StandardCharsets.UTF_8);
    String[] raw = all.split("\n", -1);
    int i = 0;
    while (i < raw.length && chomp(raw[i]).isEmpty()) i++;
    if (i >= raw.length || !chomp(raw[i]).equals(BEGIN)) throw new IllegalArgumentException("not a cleartext-signed message");
    i++;
    while (i < raw.length && !chomp(raw[i]).isEmpty()) {
      if (!chomp(raw[i]).startsWith("Hash: ")) throw new IllegalArgumentException("unexpected armor header '" + chomp(raw[i]) + "'");
      i++;
    }
    if (i >= raw.length) throw new IllegalArgumentException("no text after the armor headers");
    i++;
    List<String> lines = new ArrayList<>();
    while (i < raw.length && !chomp(raw[i]).equals(BEGIN_SIGNATURE)) {
      String line = chomp(raw[i]);
      if (line.startsWith("- ")) line = line.substring(2);
      else if (line.startsWith("-")) throw new IllegalArgumentException("a line starting with '-' is not dash-escaped");
      lines.add(line);
      i++;
    }
    if (i >= raw.length) throw new IllegalArgumentException("no signature block");
    StringBuilder sig = new StringBuilder();
    boolean ended = false;
    for (; i < raw.length; i++) {
      String line = chomp(raw[i]);
      if (ended) {
        if (!line.isBlank()) throw new IllegalArgumentException("text after the signature block");
        continue;
      }
      sig.append(line).append('\n');
      if (line.equals(END_SIGNATURE)) ended = true;
    }
    if (!ended) throw new IllegalArgumentException("unterminated signature block");
    return new ClearSigned(List.copyOf(lines), sig.toString());
  }

  /** The bytes the signature covers: lines without trailing blanks, joined by CR LF. */
  byte[] canonicalText() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      if (i > 0) b.append("\r\n");
      b.append(stripTrailing(lines.get(i)));
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The signed text as a file: lines joined by LF, with a final LF. */
  String text() {
    StringBuilder b = new StringBuilder();
    for (String l : lines) b.append(l).append('\n');
    return b.toString();
  }

  static String chomp(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  static String stripTrailing(String line) {
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) end--;
    return line.substring(0, end);
  }
}
