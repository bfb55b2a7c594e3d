package dev.airgap.exporter.source.pypi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fields of a core-metadata file ({@code METADATA}, {@code PKG-INFO}, PEP 658 {@code .metadata})
 * that resolution and the SBOM need. The format is RFC 822 headers; the body (description) is ignored.
 */
public record CoreMetadata(String name, String version, List<String> requiresDist, String requiresPython, String license, String summary, String homePage) {
  public CoreMetadata {
    requiresDist = List.copyOf(requiresDist);
  }

  public static CoreMetadata parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n");
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    String current = null;
    StringBuilder value = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty()) break; // end of headers
      if ((line.startsWith(" ") || line.startsWith("\t")) && current != null) {
        value.append('\n').append(line.strip());
        continue;
      }
      if (current != null) headers.computeIfAbsent(current, k -> new ArrayList<>()).add(value.toString().strip());
      int colon = line.indexOf(':');
      if (colon <= 0) {
        current = null;
        continue;
      }
      current = line.substring(0, colon).strip();
      value.setLength(0);
      value.append(line.substring(colon + 1));
    }
    if (current != null) headers.computeIfAbsent(current, k -> new ArrayList<>()).add(value.toString().strip());
    String license = first(headers, "License-Expression");
    if (license == null) {
      String l = first(headers, "License");
      if (l != null && !l.isBlank() && l.length() <= 120 && !l.contains("\n")) license = l;
    }
    if (license == null) {
      for (String c : headers.getOrDefault("Classifier", List.of())) {
        if (c.startsWith("License :: ")) {
          license = c.substring(c.lastIndexOf("::") + 2).strip();
          break;
        }
      }
    }
    String home = first(headers, "Home-page");
    if (home == null) {
      for (String u : headers.getOrDefault("Project-URL", List.of())) {
        int comma = u.indexOf(',');
        if (comma > 0 && u.substring(0, comma).strip().toLowerCase(Locale.ROOT).replaceAll("[-_ ]", "").equals("homepage")) {
          home = u.substring(comma + 1).strip();
          break;
        }
      }
    }
    if (home != null && !(home.startsWith("https://") || home.startsWith("http://"))) home = null;
    return new CoreMetadata(first(headers, "Name"), first(headers, "Version"), headers.getOrDefault("Requires-Dist", List.of()),
        first(headers, "Requires-Python"), blankToNull(license), blankToNull(first(headers, "Summary")), home);
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() || s.equalsIgnoreCase("UNKNOWN") ? null : s.strip();
  }
}
