package dev.airgap.exporter.source.git;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.error.UsageException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.RefSpec;

/**
 * Which refs of the remote an entry exports: exact ref names and {@code prefix/*} patterns, all
 * under {@code refs/}. {@code all} means every branch and tag.
 */
record RefSelection(List<String> patterns) {
  static final List<String> ALL = List.of("refs/heads/*", "refs/tags/*");

  static RefSelection parse(JsonNode refs, String where) {
    if (refs == null || refs.isNull() || (refs.isTextual() && refs.asText().equals("all"))) return new RefSelection(ALL);
    if (!refs.isArray() || refs.isEmpty()) throw new UsageException(where + ": refs must be 'all' or a non-empty list of ref names (e.g. [refs/heads/main, refs/tags/*])");
    List<String> patterns = new ArrayList<>();
    for (JsonNode n : refs) {
      if (!n.isTextual()) throw new UsageException(where + ": refs: '" + n + "' is not a ref name");
      String p = n.asText();
      String name = p.endsWith("/*") ? p.substring(0, p.length() - 2) + "/x" : p;
      if (!p.startsWith("refs/") || !Repository.isValidRefName(name)) {
        throw new UsageException(where + ": refs: '" + p + "' must be a full ref name under refs/ (refs/heads/main) or a pattern ending in /* (refs/tags/*)");
      }
      if (!patterns.contains(p)) patterns.add(p);
    }
    return new RefSelection(patterns);
  }

  boolean matches(String ref) {
    for (String p : patterns) {
      if (p.endsWith("/*") ? ref.startsWith(p.substring(0, p.length() - 1)) : ref.equals(p)) return true;
    }
    return false;
  }

  /** Force-updating refspecs that copy the selected refs into the cache under the same names. */
  List<RefSpec> refSpecs() {
    return patterns.stream().map(p -> new RefSpec("+" + p + ":" + p)).toList();
  }
}
