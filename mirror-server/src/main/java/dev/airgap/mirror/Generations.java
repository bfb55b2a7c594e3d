package dev.airgap.mirror;

import dev.airgap.core.mirror.MirrorLayout;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Resolves {@code current} (one readlink per call) and keeps views of the last few generations so
 * their parsed indexes are reused while a generation stays current.
 */
final class Generations {
  static final int CACHED = 2;
  private static final Pattern NAME = Pattern.compile("[0-9]{10}");

  private final MirrorLayout layout;
  private final Map<Path, GenerationView> recent = new LinkedHashMap<>(4, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Path, GenerationView> eldest) {
      return size() > CACHED;
    }
  };

  Generations(MirrorLayout layout) {
    this.layout = layout;
  }

  /**
   * The generation {@code current} points to now, or empty when nothing is published (or
   * {@code current} points anywhere but an existing {@code generations/NNNNNNNNNN} directory).
   */
  Optional<GenerationView> current() {
    Optional<Path> resolved = layout.currentGeneration();
    if (resolved.isEmpty()) return Optional.empty();
    Path dir = resolved.get();
    if (!layout.generations().equals(dir.getParent()) || !NAME.matcher(dir.getFileName().toString()).matches()) {
      return Optional.empty();
    }
    synchronized (recent) {
      GenerationView view = recent.get(dir);
      if (view != null) return Optional.of(view);
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
    GenerationView fresh = new GenerationView(layout, dir, Long.parseLong(dir.getFileName().toString()));
    synchronized (recent) {
      return Optional.of(recent.computeIfAbsent(dir, d -> fresh));
    }
  }
}
