package dev.airgap.exporter.source.pypi;

import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads requirement lines in pip's requirements-file format: comments, {@code \} continuations,
 * {@code -r} includes, and per-line {@code --hash=sha256:...} (lock files). Index options are
 * ignored (the spec's {@code indexes} are what is used; hashes keep a lock file honest); any other
 * option is refused, so nothing is silently dropped.
 */
final class RequirementsFile {
  private static final Set<String> IGNORED_OPTIONS = Set.of("-i", "--index-url", "--extra-index-url", "--trusted-host", "-f", "--find-links", "--no-index");

  private RequirementsFile() {}

  static List<Resolver.Constraint> read(Path file) {
    return read(file, new HashSet<>());
  }

  private static List<Resolver.Constraint> read(Path file, Set<Path> seen) {
    Path abs = file.toAbsolutePath().normalize();
    if (!seen.add(abs)) throw new UsageException(file + ": included twice (-r loop)");
    List<String> lines;
    try {
      lines = Files.readAllLines(abs);
    } catch (NoSuchFileException e) {
      throw new UsageException(file + ": no such requirements file");
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
    List<Resolver.Constraint> out = new ArrayList<>();
    StringBuilder joined = new StringBuilder();
    int startLine = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (joined.length() == 0) startLine = i + 1;
      if (line.endsWith("\\")) {
        joined.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      joined.append(line);
      String logical = joined.toString();
      joined.setLength(0);
      String where = file + ":" + startLine;
      out.addAll(parseLine(logical, where, abs.getParent(), seen));
    }
    return out;
  }

  /** Parses one logical line (also used for the spec's inline {@code requirements}). */
  static List<Resolver.Constraint> parseLine(String line, String where, Path baseDir, Set<Path> seen) {
    String text = stripComment(line).strip();
    if (text.isEmpty()) return List.of();
    if (text.startsWith("-r ") || text.startsWith("--requirement ") || text.startsWith("--requirement=")) {
      String target = text.substring(text.startsWith("-r ") ? 3 : "--requirement".length() + 1).strip();
      return read(baseDir.resolve(target), seen);
    }
    if (text.startsWith("-")) {
      String option = text.split("[\\s=]", 2)[0];
      if (IGNORED_OPTIONS.contains(option)) return List.of();
      throw new UsageException(where + ": option '" + option + "' is not supported in airgap requirements");
    }
    Set<String> hashes = new HashSet<>();
    StringBuilder req = new StringBuilder();
    String[] tokens = text.split("\\s+");
    for (int i = 0; i < tokens.length; i++) {
      String t = tokens[i];
      if (t.startsWith("--hash")) {
        String value = t.startsWith("--hash=") ? t.substring(7) : (i + 1 < tokens.length ? tokens[++i] : "");
        if (!value.startsWith("sha256:") || !value.substring(7).matches("[0-9a-fA-F]{64}")) {
          throw new UsageException(where + ": --hash must be sha256:<64 hex digits> (indexes publish SHA-256), got '" + value + "'");
        }
        hashes.add(value.substring(7).toLowerCase(Locale.ROOT));
      } else if (t.startsWith("--")) {
        throw new UsageException(where + ": option '" + t + "' is not supported in airgap requirements");
      } else {
        req.append(t).append(' ');
      }
    }
    try {
      return List.of(new Resolver.Constraint(Requirement.parse(req.toString(), hashes), where));
    } catch (IllegalArgumentException e) {
      throw new UsageException(where + ": " + e.getMessage());
    }
  }

  private static String stripComment(String line) {
    if (line.startsWith("#")) return "";
    int i = line.indexOf(" #");
    int t = line.indexOf("\t#");
    int cut = i < 0 ? t : t < 0 ? i : Math.min(i, t);
    return cut < 0 ? line : line.substring(0, cut);
  }
}
