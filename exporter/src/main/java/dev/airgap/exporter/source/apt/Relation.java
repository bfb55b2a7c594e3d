package dev.airgap.exporter.source.apt;

import dev.airgap.core.mirror.apt.DebVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * One alternative of a relationship field ({@code name [(op version)]}), as in {@code Depends:
 * a (>= 1.0) | b, c}. Architecture qualifiers ({@code :any}) and restriction lists ({@code [..]},
 * {@code <..>}) are dropped: resolution runs per architecture. Parsed by hand (no regular
 * expressions): a full suite has hundreds of thousands of relations.
 */
record Relation(String name, String op, DebVersion version) {

  /** Parses one alternative; throws {@link IllegalArgumentException} on bad syntax. */
  static Relation parse(String text) {
    return parse(text, 0, text.length());
  }

  private static Relation parse(String text, int from, int to) {
    Scanner s = new Scanner(text, from, to);
    s.skipSpace();
    int nameStart = s.pos;
    if (s.atEnd() || !nameStart(s.peek())) throw bad(text, from, to);
    while (!s.atEnd() && nameChar(s.peek())) s.pos++;
    String name = text.substring(nameStart, s.pos);
    if (!s.atEnd() && s.peek() == ':') { // architecture qualifier
      s.pos++;
      int q = s.pos;
      while (!s.atEnd() && archChar(s.peek())) s.pos++;
      if (s.pos == q) throw bad(text, from, to);
    }
    String op = null;
    DebVersion version = null;
    s.skipSpace();
    if (!s.atEnd() && s.peek() == '(') {
      s.pos++;
      s.skipSpace();
      int o = s.pos;
      while (!s.atEnd() && (s.peek() == '<' || s.peek() == '>' || s.peek() == '=')) s.pos++;
      op = switch (text.substring(o, s.pos)) {
        case "<<", "<=", "=", ">=", ">>" -> text.substring(o, s.pos);
        case "<" -> "<=";
        case ">" -> ">=";
        default -> throw bad(text, from, to);
      };
      s.skipSpace();
      int v = s.pos;
      while (!s.atEnd() && s.peek() != ')' && !Character.isWhitespace(s.peek())) s.pos++;
      if (s.pos == v) throw bad(text, from, to);
      try {
        version = DebVersion.parse(text.substring(v, s.pos));
      } catch (IllegalArgumentException e) {
        throw bad(text, from, to);
      }
      s.skipSpace();
      if (s.atEnd() || s.peek() != ')') throw bad(text, from, to);
      s.pos++;
    }
    while (true) { // restriction lists: [arch ...] and <profile ...>, in any number
      s.skipSpace();
      if (s.atEnd()) break;
      char open = s.peek();
      char close = open == '[' ? ']' : open == '<' ? '>' : 0;
      if (close == 0) throw bad(text, from, to);
      int end = text.indexOf(close, s.pos + 1);
      if (end < 0 || end >= to) throw bad(text, from, to);
      s.pos = end + 1;
    }
    return new Relation(name, op, version);
  }

  /** A relationship field: comma-separated clauses of {@code |}-separated alternatives. */
  static List<List<Relation>> parseField(String field) {
    List<List<Relation>> clauses = new ArrayList<>();
    if (field == null) return clauses;
    int n = field.length();
    int start = 0;
    while (start <= n) {
      int comma = field.indexOf(',', start);
      int end = comma < 0 ? n : comma;
      if (!blank(field, start, end)) {
        List<Relation> alts = new ArrayList<>(1);
        int a = start;
        while (true) {
          int bar = field.indexOf('|', a);
          int altEnd = bar < 0 || bar > end ? end : bar;
          alts.add(parse(field, a, altEnd));
          if (altEnd == end) break;
          a = altEnd + 1;
        }
        clauses.add(alts);
      }
      start = end + 1;
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

  static boolean nameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  static boolean nameChar(char c) {
    return nameStart(c) || c == '+' || c == '.' || c == '-';
  }

  private static boolean archChar(char c) {
    return nameStart(c) || c == '-';
  }

  private static boolean blank(String s, int from, int to) {
    for (int i = from; i < to; i++) if (!Character.isWhitespace(s.charAt(i))) return false;
    return true;
  }

  private static IllegalArgumentException bad(String text, int from, int to) {
    return new IllegalArgumentException("bad relation '" + text.substring(from, to).strip() + "'");
  }

  private static final class Scanner {
    private final String text;
    private final int to;
    int pos;

    Scanner(String text, int from, int to) {
      this.text = text;
      this.pos = from;
      this.to = to;
    }

    boolean atEnd() {
      return pos >= to;
    }

    char peek() {
      return text.charAt(pos);
    }

    void skipSpace() {
      while (pos < to && Character.isWhitespace(text.charAt(pos))) pos++;
    }
  }
}
