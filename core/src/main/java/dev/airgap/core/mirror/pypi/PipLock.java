package dev.airgap.core.mirror.pypi;

import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The pinned, hashed requirements files for pip ({@code pip install --require-hashes -r ...}) that a
 * bundle's {@code pypi} artifacts give, one per target environment: every release whose {@code
 * targets} property names the environment, as {@code name==version} with a {@code --hash=sha256:}
 * for every distribution file the bundle carries of it. A pure function of the manifest (its
 * channel and pypi artifacts): the exporter writes its result into the bundle as the {@code
 * pypi-lock} artifact, the importer computes it again from the verified manifest and refuses a
 * bundle whose carried lock differs, and {@code inspect} prints it from the head alone.
 */
public final class PipLock {
  /** The artifact type that carries the locks in a bundle. */
  public static final String TYPE = "pypi-lock";
  /** Its one artifact's name and version (the lock format's version). */
  public static final String NAME = "pip-lock";
  public static final String VERSION = "1";
  public static final String PURL = "pkg:generic/" + NAME + "@" + VERSION;
  public static final String MEDIA_TYPE = "text/plain; charset=utf-8";
  /** Target labels as the exporter writes them (e.g. {@code cp311-manylinux_2_28_x86_64}); safe as a path segment. */
  public static final Pattern TARGET = Pattern.compile("cp3[0-9]{1,2}-[a-z0-9_]{1,64}");

  /**
   * The locks by target, and the targets left without one because the bundle carries two versions
   * of one project for them (two {@code pypi} entries resolved it differently; pip takes one).
   */
  public record Result(Map<String, byte[]> locks, Map<String, String> omitted) {
    public Result {
      locks = Collections.unmodifiableMap(new TreeMap<>(locks));
      omitted = Collections.unmodifiableMap(new TreeMap<>(omitted));
    }
  }

  private PipLock() {}

  /** The logical path of the lock of {@code target} in a bundle. */
  public static String path(String target) {
    return TYPE + "/" + target + ".txt";
  }

  /** The locks {@code channel}'s bundle with these artifacts gives (artifacts of other types are ignored). */
  public static Result of(String channel, List<Artifact> artifacts) {
    // target → project → version → hashes
    Map<String, Map<String, Map<String, TreeSet<String>>>> byTarget = new TreeMap<>();
    for (Artifact a : artifacts) {
      if (!a.type().equals("pypi")) continue;
      String targets = a.properties().get("targets");
      if (targets == null) continue;
      TreeSet<String> hashes = new TreeSet<>();
      String prefix = "pypi/" + a.name() + "/";
      for (ArtifactFile f : a.files()) {
        String p = f.path().value();
        if (p.startsWith(prefix) && !p.endsWith(".metadata")) hashes.add(f.sha256().hex());
      }
      if (hashes.isEmpty()) continue;
      for (String t : targets.split(",")) {
        String target = t.strip();
        if (!TARGET.matcher(target).matches()) continue;
        byTarget.computeIfAbsent(target, k -> new TreeMap<>()).computeIfAbsent(a.name(), k -> new TreeMap<>())
            .computeIfAbsent(a.version(), k -> new TreeSet<>()).addAll(hashes);
      }
    }
    Map<String, byte[]> locks = new TreeMap<>();
    Map<String, String> omitted = new TreeMap<>();
    byTarget.forEach((target, projects) -> {
      List<String> conflicts = new ArrayList<>();
      projects.forEach((name, versions) -> {
        if (versions.size() > 1) conflicts.add(name + " " + String.join(" and ", versions.keySet()));
      });
      if (!conflicts.isEmpty()) {
        omitted.put(target, "the bundle carries several versions of " + String.join(", ", conflicts) + " for " + target);
        return;
      }
      StringBuilder b = new StringBuilder();
      b.append("# airgap pip lock: channel ").append(channel).append(", target ").append(target).append('\n');
      b.append("# pip install --require-hashes -r THIS-FILE (every file the bundle carries of each pinned release)\n");
      projects.forEach((name, versions) -> versions.forEach((version, hashes) -> {
        b.append(name).append("==").append(version);
        for (String h : hashes) b.append(" \\\n    --hash=sha256:").append(h);
        b.append('\n');
      }));
      locks.put(target, b.toString().getBytes(StandardCharsets.UTF_8));
    });
    return new Result(locks, omitted);
  }
}
