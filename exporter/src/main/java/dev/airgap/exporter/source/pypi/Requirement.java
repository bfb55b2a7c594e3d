package dev.airgap.exporter.source.pypi;

import dev.airgap.core.mirror.pypi.PypiNames;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEP 508 dependency specification without URL: {@code name[extra,...] specifiers ; marker},
 * plus the {@code --hash=sha256:...} values a lock file may pin it to.
 *
 * @param name the normalised project name
 * @param text the requirement as written (for messages)
 * @param marker null when unconditional
 * @param hashes allowed sha256 hex digests; empty when unpinned
 */
public record Requirement(String name, Set<String> extras, SpecifierSet specifiers, Marker marker, Set<String> hashes, String text) {
  private static final Pattern HEAD = Pattern.compile("\\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\\s*(\\[([^\\]]*)\\])?\\s*(.*)", Pattern.DOTALL);

  public Requirement {
    extras = Collections.unmodifiableSet(new TreeSet<>(extras));
    hashes = Collections.unmodifiableSet(new TreeSet<>(hashes));
  }

  /** Parses a PEP 508 line; throws {@link IllegalArgumentException} naming what is wrong. */
  public static Requirement parse(String line) {
    return parse(line, Set.of());
  }

  public static Requirement parse(String line, Set<String> hashes) {
    String text = line.strip();
    Matcher m = HEAD.matcher(text);
    if (!m.matches()) throw new IllegalArgumentException("not a requirement: '" + text + "'");
    String name = PypiNames.normalize(m.group(1));
    Set<String> extras = new TreeSet<>();
    if (m.group(3) != null) {
      for (String e : m.group(3).split(",")) {
        String x = e.strip();
        if (x.isEmpty()) continue;
        if (!PypiNames.isValid(x)) throw new IllegalArgumentException("invalid extra '" + x + "' in '" + text + "'");
        extras.add(PypiNames.normalize(x));
      }
    }
    String rest = m.group(4);
    Marker marker = null;
    int semi = rest.indexOf(';');
    String spec = semi < 0 ? rest : rest.substring(0, semi);
    if (semi >= 0) {
      String markerText = rest.substring(semi + 1).strip();
      if (!markerText.isEmpty()) marker = Marker.parse(markerText);
    }
    spec = spec.strip();
    if (spec.startsWith("@")) throw new IllegalArgumentException("direct URL requirements are not supported: '" + text + "'");
    if (spec.startsWith("(")) {
      if (!spec.endsWith(")")) throw new IllegalArgumentException("unbalanced parenthesis in '" + text + "'");
      spec = spec.substring(1, spec.length() - 1);
    }
    return new Requirement(name, extras, SpecifierSet.parse(spec), marker, hashes, text);
  }

  /** The same requirement without {@code --hash} pins. */
  public Requirement withoutHashes() {
    return new Requirement(name, extras, specifiers, marker, Set.of(), text);
  }

  /** Whether the requirement applies in {@code env} when the parent was asked with extra {@code extra} ("" for none). */
  public boolean appliesTo(Map<String, String> env, String extra) {
    if (marker == null) return true;
    Map<String, String> withExtra = new java.util.HashMap<>(env);
    withExtra.put("extra", extra);
    return marker.evaluate(withExtra);
  }

  @Override
  public String toString() {
    return text;
  }
}
