package dev.airgap.core;

import java.util.Locale;
import java.util.Set;

/** Weight file formats that can execute code when loaded (Python pickle). */
public final class PickleFiles {
  public static final Set<String> EXTENSIONS = Set.of("bin", "pt", "pth", "pkl", "pickle", "ckpt");
  /** Artifact types whose files inspect flags and {@code --refuse-pickle} checks. */
  public static final Set<String> ARTIFACT_TYPES = Set.of("model", "huggingface", "huggingface-dataset");

  private PickleFiles() {}

  public static boolean isPickle(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }
}
