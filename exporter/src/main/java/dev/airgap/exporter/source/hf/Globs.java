package dev.airgap.exporter.source.hf;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Include/exclude patterns as Hugging Face clients apply them ({@code allow_patterns}): shell
 * wildcards matched against the whole repository path, where {@code *} also crosses {@code /};
 * a pattern ending in {@code /} means everything below that folder.
 */
final class Globs {
  private final List<Pattern> include;
  private final List<Pattern> exclude;

  Globs(List<String> include, List<String> exclude) {
    this.include = include == null ? null : include.stream().map(Globs::compile).toList();
    this.exclude = exclude == null ? List.of() : exclude.stream().map(Globs::compile).toList();
  }

  boolean accepts(String path) {
    if (include != null && include.stream().noneMatch(p -> p.matcher(path).matches())) return false;
    return exclude.stream().noneMatch(p -> p.matcher(path).matches());
  }

  static Pattern compile(String glob) {
    String g = glob.endsWith("/") ? glob + "*" : glob;
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < g.length(); i++) {
      char c = g.charAt(i);
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        case '[' -> {
          int close = g.indexOf(']', i + 1);
          if (close < 0) {
            re.append("\\[");
          } else {
            String set = g.substring(i + 1, close);
            if (set.startsWith("!")) set = "^" + set.substring(1);
            re.append('[').append(set.replace("\\", "\\\\").replace("[", "\\[")).append(']');
            i = close;
          }
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }
}
