package dev.airgap.core.mirror.apt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One paragraph of a Debian control file (deb822: {@code Field: value} lines, continuation lines
 * starting with a space or tab), with fields in their original order. Field names are matched
 * case-insensitively, as dpkg does. Values keep their continuation lines ({@code "\n value"}).
 */
public final class ControlParagraph {
  private static final Pattern FIELD_NAME = Pattern.compile("[!-9;-~&&[^#-]][!-9;-~]*");
  private static final Pattern LINE_BREAK = Pattern.compile("\\s*\n\\s*");
  private final LinkedHashMap<String, String> fields;

  private ControlParagraph(LinkedHashMap<String, String> fields) {
    this.fields = fields;
  }

  /** Parses text holding exactly one paragraph; throws {@link IllegalArgumentException} saying what is wrong. */
  public static ControlParagraph parseOne(String text) {
    List<ControlParagraph> all = parseAll(text);
    if (all.size() != 1) throw new IllegalArgumentException("expected one control paragraph, found " + all.size());
    return all.get(0);
  }

  /** Parses paragraphs separated by blank lines (a Packages or Release file). */
  public static List<ControlParagraph> parseAll(String text) {
    List<ControlParagraph> out = new ArrayList<>();
    LinkedHashMap<String, String> current = new LinkedHashMap<>();
    Map<String, String> lowerNames = new java.util.HashMap<>();
    String last = null;
    int lineNo = 0;
    for (String rawLine : text.split("\n", -1)) {
      lineNo++;
      String line = rawLine.endsWith("\r") ? rawLine.substring(0, rawLine.length() - 1) : rawLine;
      if (line.isBlank()) {
        if (!current.isEmpty()) out.add(new ControlParagraph(current));
        current = new LinkedHashMap<>();
        lowerNames.clear();
        last = null;
        continue;
      }
      if (line.startsWith("#") && last == null && current.isEmpty()) continue;
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (last == null) throw new IllegalArgumentException("line " + lineNo + ": continuation line without a field");
        current.put(last, current.get(last) + "\n" + line);
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) throw new IllegalArgumentException("line " + lineNo + ": not 'Field: value'");
      String name = line.substring(0, colon);
      if (!FIELD_NAME.matcher(name).matches()) throw new IllegalArgumentException("line " + lineNo + ": bad field name '" + name + "'");
      String lower = name.toLowerCase(Locale.ROOT);
      if (lowerNames.putIfAbsent(lower, name) != null) throw new IllegalArgumentException("line " + lineNo + ": duplicate field '" + name + "'");
      current.put(name, line.substring(colon + 1).strip());
      last = name;
    }
    if (!current.isEmpty()) out.add(new ControlParagraph(current));
    return out;
  }

  /** The value of a field (first line and continuation lines), or null. */
  public String get(String name) {
    String v = fields.get(name);
    if (v != null) return v;
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
    }
    return null;
  }

  /** The value with continuation lines folded into one line (for relationship fields). */
  public String folded(String name) {
    String v = get(name);
    if (v == null) return null;
    return v.indexOf('\n') < 0 ? v.strip() : LINE_BREAK.matcher(v).replaceAll(" ").strip();
  }

  public Map<String, String> fields() {
    return Collections.unmodifiableMap(fields);
  }

  /** The paragraph as deb822 text, without the fields named in {@code drop}, ending in a newline. */
  public String format(java.util.Set<String> dropLowerCase) {
    StringBuilder b = new StringBuilder();
    fields.forEach((k, v) -> {
      if (dropLowerCase.contains(k.toLowerCase(Locale.ROOT))) return;
      b.append(k).append(':');
      if (!v.isEmpty() && !v.startsWith("\n")) b.append(' ');
      b.append(v).append('\n');
    });
    return b.toString();
  }
}
