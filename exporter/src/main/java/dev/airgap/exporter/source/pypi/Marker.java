package dev.airgap.exporter.source.pypi;

import dev.airgap.core.mirror.pypi.PypiNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A PEP 508 environment marker ({@code python_version < "3.10" and sys_platform == "win32"}), parsed once, evaluated per environment. */
public sealed interface Marker {
  Set<String> VARIABLES = Set.of("python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
      "platform_system", "platform_version", "platform_machine", "platform_python_implementation", "implementation_name",
      "implementation_version", "extra", "os.name", "sys.platform", "platform.version", "platform.machine",
      "platform.python_implementation", "python_implementation");
  Set<String> VERSION_VARIABLES = Set.of("python_version", "python_full_version", "implementation_version", "platform_release");

  /** Evaluates against marker variables (names as in PEP 508; {@code extra} may be absent). */
  boolean evaluate(Map<String, String> env);

  /** Whether the marker mentions {@code extra} at all. */
  boolean mentionsExtra();

  record And(Marker left, Marker right) implements Marker {
    public boolean evaluate(Map<String, String> env) {
      return left.evaluate(env) && right.evaluate(env);
    }

    public boolean mentionsExtra() {
      return left.mentionsExtra() || right.mentionsExtra();
    }
  }

  record Or(Marker left, Marker right) implements Marker {
    public boolean evaluate(Map<String, String> env) {
      return left.evaluate(env) || right.evaluate(env);
    }

    public boolean mentionsExtra() {
      return left.mentionsExtra() || right.mentionsExtra();
    }
  }

  /** One comparison; each side is a variable name or a literal. */
  record Compare(String left, boolean leftIsVar, String op, String right, boolean rightIsVar) implements Marker {
    public boolean evaluate(Map<String, String> env) {
      String l = leftIsVar ? env.getOrDefault(canonical(left), "") : left;
      String r = rightIsVar ? env.getOrDefault(canonical(right), "") : right;
      boolean extra = (leftIsVar && canonical(left).equals("extra")) || (rightIsVar && canonical(right).equals("extra"));
      if (extra) {
        l = l.isEmpty() ? l : PypiNames.normalize(l);
        r = r.isEmpty() ? r : PypiNames.normalize(r);
      }
      switch (op) {
        case "in":
          return r.contains(l);
        case "not in":
          return !r.contains(l);
        default:
          break;
      }
      if (!extra) {
        // PEP 508: when the right side is a valid version specifier, compare by PEP 440 rules
        Version lv = Version.tryParse(l);
        Version rv = Version.tryParse(r);
        if (lv != null && rv != null && !op.equals("===")) {
          Specifier s;
          try {
            s = Specifier.parse(op + r);
          } catch (IllegalArgumentException e) {
            s = null;
          }
          if (s != null) return s.matches(lv);
        }
      }
      return switch (op) {
        case "==", "===" -> l.equals(r);
        case "!=" -> !l.equals(r);
        case "<" -> l.compareTo(r) < 0;
        case "<=" -> l.compareTo(r) <= 0;
        case ">" -> l.compareTo(r) > 0;
        case ">=" -> l.compareTo(r) >= 0;
        default -> false; // ~= on non-versions never matches
      };
    }

    public boolean mentionsExtra() {
      return (leftIsVar && canonical(left).equals("extra")) || (rightIsVar && canonical(right).equals("extra"));
    }

    private static String canonical(String var) {
      return switch (var) {
        case "os.name" -> "os_name";
        case "sys.platform" -> "sys_platform";
        case "platform.version" -> "platform_version";
        case "platform.machine" -> "platform_machine";
        case "platform.python_implementation", "python_implementation" -> "platform_python_implementation";
        default -> var;
      };
    }
  }

  /** Parses marker text; throws {@link IllegalArgumentException} with the reason. */
  static Marker parse(String text) {
    Parser p = new Parser(tokenize(text), text);
    Marker m = p.or();
    if (p.pos != p.tokens.size()) throw new IllegalArgumentException("unexpected '" + p.tokens.get(p.pos).text + "' in marker '" + text + "'");
    return m;
  }

  record Token(String kind, String text) {}

  private static List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(' || c == ')') {
        out.add(new Token(String.valueOf(c), String.valueOf(c)));
        i++;
      } else if (c == '"' || c == '\'') {
        int end = s.indexOf(c, i + 1);
        if (end < 0) throw new IllegalArgumentException("unterminated string in marker '" + s + "'");
        out.add(new Token("str", s.substring(i + 1, end)));
        i = end + 1;
      } else if ("<>=!~".indexOf(c) >= 0) {
        int j = i;
        while (j < s.length() && "<>=!~".indexOf(s.charAt(j)) >= 0) j++;
        String op = s.substring(i, j);
        if (!Set.of("<", "<=", ">", ">=", "==", "!=", "~=", "===").contains(op)) throw new IllegalArgumentException("bad operator '" + op + "' in marker '" + s + "'");
        out.add(new Token("op", op));
        i = j;
      } else if (Character.isLetter(c) || c == '_') {
        int j = i;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) == '.')) j++;
        String word = s.substring(i, j);
        switch (word) {
          case "and", "or" -> out.add(new Token(word, word));
          case "in" -> out.add(new Token("op", "in"));
          case "not" -> out.add(new Token("not", "not"));
          default -> {
            if (!VARIABLES.contains(word)) throw new IllegalArgumentException("unknown marker variable '" + word + "' in '" + s + "'");
            out.add(new Token("var", word));
          }
        }
        i = j;
      } else {
        throw new IllegalArgumentException("unexpected '" + c + "' in marker '" + s + "'");
      }
    }
    return out;
  }

  final class Parser {
    final List<Token> tokens;
    final String text;
    int pos;

    Parser(List<Token> tokens, String text) {
      this.tokens = tokens;
      this.text = text;
    }

    Marker or() {
      Marker m = and();
      while (peek("or")) {
        pos++;
        m = new Or(m, and());
      }
      return m;
    }

    Marker and() {
      Marker m = atom();
      while (peek("and")) {
        pos++;
        m = new And(m, atom());
      }
      return m;
    }

    Marker atom() {
      if (peek("(")) {
        pos++;
        Marker m = or();
        expect(")");
        return m;
      }
      Token l = value();
      String op;
      if (peek("not")) {
        pos++;
        Token in = next();
        if (!in.text.equals("in")) throw new IllegalArgumentException("expected 'in' after 'not' in marker '" + text + "'");
        op = "not in";
      } else {
        Token t = next();
        if (!t.kind.equals("op")) throw new IllegalArgumentException("expected an operator, got '" + t.text + "' in marker '" + text + "'");
        op = t.text;
      }
      Token r = value();
      return new Compare(l.text, l.kind.equals("var"), op, r.text, r.kind.equals("var"));
    }

    private Token value() {
      Token t = next();
      if (!t.kind.equals("var") && !t.kind.equals("str")) throw new IllegalArgumentException("expected a variable or string, got '" + t.text + "' in marker '" + text + "'");
      return t;
    }

    private boolean peek(String kind) {
      return pos < tokens.size() && tokens.get(pos).kind.equals(kind);
    }

    private Token next() {
      if (pos >= tokens.size()) throw new IllegalArgumentException("marker '" + text + "' ends early");
      return tokens.get(pos++);
    }

    private void expect(String kind) {
      if (!peek(kind)) throw new IllegalArgumentException("expected '" + kind + "' in marker '" + text + "'");
      pos++;
    }
  }
}
