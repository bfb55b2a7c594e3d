package dev.airgap.core.mirror.pypi;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The index of the {@code pypi} slice in a generation: {@code pypi/index.json}, mapping normalised
 * project name → distribution file name → blob and the facts a PEP 503/691 page shows. One index for
 * all channels (pip sees one index). Written by the importer's publisher, read by the mirror route.
 */
public record PypiIndex(Map<String, Project> projects) {
  public static final String RELATIVE_PATH = "pypi/index.json";

  public PypiIndex {
    TreeMap<String, Project> copy = new TreeMap<>(projects);
    projects = Collections.unmodifiableMap(copy);
  }

  /** One project: its display name (as the latest bundle spelled it) and its files by file name. */
  @JsonPropertyOrder({"name", "files"})
  public record Project(String name, Map<String, DistFile> files) {
    public Project {
      files = Collections.unmodifiableMap(new TreeMap<>(files));
    }
  }

  /**
   * One distribution file (wheel or sdist).
   *
   * @param version the release it belongs to (PEP 440, as exported)
   * @param requiresPython the {@code Requires-Python} specifier, or null
   * @param metadata the core-metadata file (PEP 658) served at {@code <file>.metadata}, or null
   * @param yanked null when not yanked, else the reason (possibly empty) (PEP 592)
   */
  @JsonPropertyOrder({"version", "sha256", "size", "requiresPython", "metadata", "yanked", "channel", "bundleId"})
  public record DistFile(String version, Digest sha256, long size, String requiresPython, Blob metadata, String yanked, String channel, String bundleId) {}

  /** A blob by digest and size. */
  @JsonPropertyOrder({"sha256", "size"})
  public record Blob(Digest sha256, long size) {}

  public static PypiIndex empty() {
    return new PypiIndex(Map.of());
  }

  /** Reads the index of a generation; a generation without one has no Python packages. */
  public static PypiIndex read(Path generationDir) {
    Path file = generationDir.resolve(RELATIVE_PATH);
    if (!Files.exists(file)) return empty();
    try {
      return Json.strict().readValue(file.toFile(), PypiIndex.class);
    } catch (IOException e) {
      throw IntegrityException.malformed(file.toString(), "unreadable pypi index: " + e.getMessage(), e);
    }
  }

  public void write(Path generationDir) throws IOException {
    Path file = generationDir.resolve(RELATIVE_PATH);
    Files.createDirectories(file.getParent());
    Files.write(file, Json.strict().writeValueAsBytes(this));
  }

  public Project project(String normalizedName) {
    return projects.get(normalizedName);
  }
}
