package dev.airgap.exporter.source.apt;

import dev.airgap.core.mirror.apt.DebVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One alternative of a relationship field ({@code name [(op version)]}), as in {@code Depends:
 * a (>= 1.0) | b, c}. Architecture qualifiers ({@code :any}) and restriction lists ({@code [..]},
 * {@code <..>}) are dropped: resolution runs per architecture.
 */
record Relation(String name, String op, DebVersion version) {
  private static final Pattern ONE = Pattern.compile("\\s*([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?\\s*(?:\\(\\s*(<<|<=|=|>=|>>|<|>)\\s*([^\\s)]+)\\s*\\))?\\s*");

  /** Parses one alternative; throws {@link IllegalArgumentException} on bad syntax. */
  static Relation parse(String text) {
    String cleaned = text.replaceAll("\\[[^]]*]", "").replaceAll("<[^>]*>", "").strip();
    Matcher m = ONE.matcher(cleaned);
    if (!m.matches()) throw new IllegalArgumentException("bad relation '" + text.strip() + "'");
    String op = m.group(2);
    if ("<".equals(op)) op = "<=";
    if (">".equals(op)) op = ">=";
    return new Relation(m.group(1), op, m.group(3) == null ? null : DebVersion.parse(m.group(3)));
  }

  /** A relationship field: comma-separated clauses of {@code |}-separated alternatives. */
  static List<List<Relation>> parseField(String field) {
    List<List<Relation>> clauses = new ArrayList<>();
    if (field == null || field.isBlank()) return clauses;
    for (String clause : field.split(",")) {
      if (clause.isBlank()) continue;
      List<Relation> alts = new ArrayList<>();
      for (String alt : clause.split("\\|")) alts.add(parse(alt));
      clauses.add(alts);
    }
    return clauses;
  }

  boolean accepts(DebVersion v) {
    if (op == null) return true;
    if (v == null) return false;
    int c = v.compareTo(version);
    return switch (op) {
      case "<<" -> c < 0;
      case "<=" -> c <= 0;
      case "=" -> c == 0;
      case ">=" -> c >= 0;
      case ">>" -> c > 0;
      default -> false;
    };
  }

  @Override
  public String toString() {
    return op == null ? name : name + " (" + op + " " + version + ")";
  }

  static String describe(List<Relation> alternatives) {
    return String.join(" | ", alternatives.stream().map(Relation::toString).toList());
  }
}
