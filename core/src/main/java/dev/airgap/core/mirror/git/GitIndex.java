package dev.airgap.core.mirror.git;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Json;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The index of the git slice in a generation: {@code git/index.json}, mapping repository name →
 * what was published. Each repository is a complete bare repository at
 * {@code git/<name>.git/} of the same generation (packs and {@code packed-refs}), served read-only
 * at {@code /git/<name>.git} over git smart HTTP. Only names listed here are ever opened.
 */
public record GitIndex(Map<String, Repo> repos) {
  public static final String DIRECTORY = "git";
  public static final String RELATIVE_PATH = DIRECTORY + "/index.json";
  /** A repository name: one safe path segment; {@code .git} is added by the mirror. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  public GitIndex {
    repos = Collections.unmodifiableMap(new TreeMap<>(repos));
  }

  /**
   * One published repository.
   *
   * @param url the upstream URL it was exported from (no credentials)
   * @param head the branch {@code HEAD} points to
   * @param refs every ref name → object id (a tag's own id for annotated tags)
   * @param channel the channel whose bundles own this repository
   * @param bundleId the bundle that last updated it
   */
  @JsonPropertyOrder({"url", "head", "refs", "channel", "bundleId"})
  public record Repo(String url, String head, Map<String, String> refs, String channel, String bundleId) {
    public Repo {
      refs = Collections.unmodifiableMap(new TreeMap<>(refs));
    }
  }

  /** Whether {@code name} is an acceptable repository name (pattern, and not ending in {@code .git}). */
  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches() && !name.endsWith(".git");
  }

  /** The bare repository of {@code name} in a generation directory; {@code name} must be valid. */
  public static Path repoDir(Path generationDir, String name) {
    if (!validName(name)) throw new IllegalArgumentException("bad git repository name: " + name);
    return generationDir.resolve(DIRECTORY).resolve(name + ".git");
  }

  public static GitIndex empty() {
    return new GitIndex(Map.of());
  }

  /** Reads the index of a generation; a generation without one has no repositories. */
  public static GitIndex read(Path generationDir) {
    Path file = generationDir.resolve(RELATIVE_PATH);
    if (!Files.exists(file)) return empty();
    GitIndex index;
    try {
      index = Json.strict().readValue(file.toFile(), GitIndex.class);
    } catch (IOException e) {
      throw IntegrityException.malformed(file.toString(), "unreadable git index: " + e.getMessage(), e);
    }
    for (String name : index.repos().keySet()) {
      if (!validName(name)) throw IntegrityException.malformed(file.toString(), "bad repository name '" + name + "'");
    }
    return index;
  }

  public void write(Path generationDir) throws IOException {
    Path file = generationDir.resolve(RELATIVE_PATH);
    Files.createDirectories(file.getParent());
    Files.write(file, Json.strict().writeValueAsBytes(this));
  }

  public Optional<Repo> lookup(String name) {
    return Optional.ofNullable(repos.get(name));
  }
}
