package dev.airgap.core.mirror;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The index of the {@code files} slice (plain files and model weights) in a generation:
 * {@code files/index.json}, mapping channel → logical path → blob. Served at
 * {@code /files/<channel>/<path>}.
 */
public record FilesIndex(Map<String, Map<String, Entry>> channels) {
  public static final String RELATIVE_PATH = "files/index.json";

  public FilesIndex {
    TreeMap<String, Map<String, Entry>> copy = new TreeMap<>();
    channels.forEach((c, files) -> copy.put(c, java.util.Collections.unmodifiableMap(new TreeMap<>(files))));
    channels = java.util.Collections.unmodifiableMap(copy);
  }

  /** One served file: its blob, size, media type, and the bundle that brought it. */
  @JsonPropertyOrder({"sha256", "size", "mediaType", "bundleId"})
  public record Entry(Digest sha256, long size, String mediaType, String bundleId) {}

  public static FilesIndex empty() {
    return new FilesIndex(Map.of());
  }

  /** Reads the index of a generation; a generation without one has no files. */
  public static FilesIndex read(Path generationDir) {
    Path file = generationDir.resolve(RELATIVE_PATH);
    if (!Files.exists(file)) return empty();
    try {
      return Json.strict().readValue(file.toFile(), FilesIndex.class);
    } catch (IOException e) {
      throw IntegrityException.malformed(file.toString(), "unreadable files index: " + e.getMessage(), e);
    }
  }

  public void write(Path generationDir) throws IOException {
    Path file = generationDir.resolve(RELATIVE_PATH);
    Files.createDirectories(file.getParent());
    Files.write(file, Json.strict().writeValueAsBytes(this));
  }

  public Entry lookup(String channel, String path) {
    Map<String, Entry> files = channels.get(channel);
    return files == null ? null : files.get(path);
  }
}
