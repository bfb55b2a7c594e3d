package dev.airgap.core.manifest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed between two manifests, for reviewers: artifacts added, removed or changed (by type
 * and name), and for changed ones the files added, removed or with new content, and the git refs
 * that were not fast-forwarded.
 */
public record ManifestDiff(List<Artifact> added, List<Artifact> removed, List<Changed> changed, int unchanged) {
  /**
   * An artifact present in both with different version or files; {@code refUpdates}: a git
   * artifact's updates that are not plain fast-forwards (rewritten branches, moved tags).
   */
  public record Changed(Artifact before, Artifact after, List<String> filesAdded, List<String> filesRemoved, List<String> filesModified,
      List<RefUpdate> refUpdates) {}

  public static ManifestDiff between(Manifest before, Manifest after) {
    Map<String, Artifact> old = index(before);
    Map<String, Artifact> now = index(after);
    List<Artifact> added = new ArrayList<>();
    List<Changed> changed = new ArrayList<>();
    int unchanged = 0;
    for (Map.Entry<String, Artifact> e : now.entrySet()) {
      Artifact prior = old.get(e.getKey());
      if (prior == null) {
        added.add(e.getValue());
        continue;
      }
      Changed c = compare(prior, e.getValue());
      if (c == null) unchanged++;
      else changed.add(c);
    }
    List<Artifact> removed = old.entrySet().stream().filter(e -> !now.containsKey(e.getKey())).map(Map.Entry::getValue).toList();
    return new ManifestDiff(List.copyOf(added), removed, List.copyOf(changed), unchanged);
  }

  private static Changed compare(Artifact before, Artifact after) {
    Map<String, ArtifactFile> b = files(before);
    Map<String, ArtifactFile> a = files(after);
    List<String> add = a.keySet().stream().filter(p -> !b.containsKey(p)).toList();
    List<String> rem = b.keySet().stream().filter(p -> !a.containsKey(p)).toList();
    List<String> mod = a.keySet().stream().filter(p -> b.containsKey(p) && !b.get(p).sha256().equals(a.get(p).sha256())).toList();
    if (add.isEmpty() && rem.isEmpty() && mod.isEmpty() && before.version().equals(after.version())) return null;
    return new Changed(before, after, add, rem, mod, RefUpdate.of(after));
  }

  private static Map<String, Artifact> index(Manifest m) {
    Map<String, Artifact> map = new LinkedHashMap<>();
    for (Artifact a : m.artifacts()) map.put(a.type() + "\u0000" + a.name(), a);
    return map;
  }

  private static Map<String, ArtifactFile> files(Artifact a) {
    Map<String, ArtifactFile> map = new LinkedHashMap<>();
    for (ArtifactFile f : a.files()) map.put(f.path().value(), f);
    return map;
  }
}
