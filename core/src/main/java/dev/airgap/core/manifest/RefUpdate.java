package dev.airgap.core.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A ref update of a git artifact that is not a plain fast-forward, as the exporter records it
 * (docs/git.md): property {@code update:<ref>} = {@code non-fast-forward}, {@code tag-moved} or
 * both, comma-separated, beside {@code ref:<ref>} = what changed. Bundles made before these were
 * recorded simply have none.
 *
 * @param artifact the artifact's name
 * @param ref the full ref name
 * @param kinds what makes the update stand out, e.g. {@code [tag-moved, non-fast-forward]}
 * @param change the {@code ref:<ref>} property: old and new commit, counts
 */
public record RefUpdate(String artifact, String ref, List<String> kinds, String change) {
  public static final String PROPERTY_PREFIX = "update:";

  public RefUpdate {
    kinds = List.copyOf(kinds);
  }

  public static List<RefUpdate> of(Artifact a) {
    if (!"git".equals(a.type())) return List.of();
    List<RefUpdate> updates = new ArrayList<>();
    for (Map.Entry<String, String> p : a.properties().entrySet()) {
      if (!p.getKey().startsWith(PROPERTY_PREFIX)) continue;
      String ref = p.getKey().substring(PROPERTY_PREFIX.length());
      List<String> kinds = List.of(p.getValue().split(",")).stream().map(String::strip).filter(k -> !k.isEmpty()).toList();
      updates.add(new RefUpdate(a.name(), ref, kinds, a.properties().getOrDefault("ref:" + ref, "")));
    }
    return List.copyOf(updates);
  }

  public static List<RefUpdate> of(Manifest m) {
    return m.artifacts().stream().flatMap(a -> of(a).stream()).toList();
  }

  public boolean forced() {
    return kinds.contains("non-fast-forward");
  }

  /** One line for reviewers: {@code git 'tool' refs/heads/main: forced update (not a fast-forward): <change>}. */
  public String describe() {
    String what = forced() && kinds.contains("tag-moved") ? "tag moved, not a fast-forward"
        : forced() ? "forced update (not a fast-forward)" : kinds.contains("tag-moved") ? "tag moved" : String.join(", ", kinds);
    return "git '" + artifact + "' " + ref + ": " + what + ": " + change;
  }
}
