package dev.airgap.exporter.source;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Package URLs (purl spec) for the artifacts airgap writes. */
public final class Purls {
  private Purls() {}

  public static String generic(String name, String version) {
    return "pkg:generic/" + encodeSegments(name) + "@" + encode(version);
  }

  public static String huggingface(String name, String version) {
    return "pkg:huggingface/" + encodeSegments(name) + "@" + encode(version);
  }

  /** Percent-encodes each slash-separated segment, keeping the slashes (namespace/name). */
  static String encodeSegments(String name) {
    String[] parts = name.split("/", -1);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) b.append('/');
      b.append(encode(parts[i]));
    }
    return b.toString();
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
