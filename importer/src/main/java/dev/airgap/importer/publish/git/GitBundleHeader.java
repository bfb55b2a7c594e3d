package dev.airgap.importer.publish.git;

import dev.airgap.core.error.IntegrityException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * The header of a git bundle (v2, or v3 with only {@code @object-format=sha1}), read strictly and
 * with bounds from untrusted bytes: prerequisite commits, then refs, then an empty line; the
 * stream is left at the start of the pack.
 */
record GitBundleHeader(List<ObjectId> prerequisites, Map<String, ObjectId> refs) {
  static final int MAX_LINE = 4096;
  static final int MAX_LINES = 1_000_000;

  GitBundleHeader {
    prerequisites = List.copyOf(prerequisites);
    refs = Collections.unmodifiableMap(new LinkedHashMap<>(refs));
  }

  static GitBundleHeader read(InputStream in, String where) throws IOException {
    String signature = line(in, where);
    boolean v3 = signature.equals("# v3 git bundle");
    if (!v3 && !signature.equals("# v2 git bundle")) throw bad(where, "not a git bundle (v2 or v3) header");
    List<ObjectId> prerequisites = new ArrayList<>();
    Map<String, ObjectId> refs = new LinkedHashMap<>();
    for (int n = 0; ; n++) {
      if (n > MAX_LINES) throw bad(where, "header has more than " + MAX_LINES + " lines");
      String line = line(in, where);
      if (line.isEmpty()) break;
      if (line.startsWith("@")) {
        if (!v3 || !refs.isEmpty() || !prerequisites.isEmpty() || !line.equals("@object-format=sha1")) throw bad(where, "unsupported bundle capability '" + printable(line) + "'");
        continue;
      }
      if (line.startsWith("-")) {
        if (!refs.isEmpty()) throw bad(where, "prerequisite after a ref");
        // "-<id>" optionally followed by a space and a comment (the commit subject)
        prerequisites.add(objectId(line.length() > 41 && line.charAt(41) == ' ' ? line.substring(1, 41) : line.substring(1), where));
        continue;
      }
      int space = line.indexOf(' ');
      if (space != 40) throw bad(where, "malformed ref line '" + printable(line) + "'");
      ObjectId id = objectId(line.substring(0, 40), where);
      String name = line.substring(41);
      if (name.equals("HEAD")) continue; // the served HEAD comes from the signed manifest
      if (!name.startsWith("refs/") || !Repository.isValidRefName(name)) throw bad(where, "invalid ref name '" + printable(name) + "'");
      if (refs.putIfAbsent(name, id) != null) throw bad(where, "ref '" + name + "' listed twice");
    }
    if (refs.isEmpty()) throw bad(where, "bundle carries no refs");
    return new GitBundleHeader(prerequisites, refs);
  }

  private static ObjectId objectId(String hex, String where) {
    if (hex.length() != 40 || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw bad(where, "malformed object id '" + printable(hex) + "'");
    }
    return ObjectId.fromString(hex);
  }

  /** One LF-terminated UTF-8 line, at most {@link #MAX_LINE} bytes. */
  private static String line(InputStream in, String where) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
    while (true) {
      int b = in.read();
      if (b < 0) throw bad(where, "header ends before the pack");
      if (b == '\n') return buf.toString(StandardCharsets.UTF_8);
      if (buf.size() >= MAX_LINE) throw bad(where, "header line longer than " + MAX_LINE + " bytes");
      buf.write(b);
    }
  }

  private static String printable(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  private static IntegrityException bad(String where, String what) {
    return IntegrityException.malformed(where, what);
  }
}
