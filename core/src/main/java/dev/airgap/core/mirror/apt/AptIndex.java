package dev.airgap.core.mirror.apt;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The index of the apt slice in a generation, {@code apt/index.json}: every package file in the
 * pool (path → blob and control paragraph), which packages each suite publishes, and every
 * generated metadata file under {@code apt/} (path → SHA-256 and size). The mirror serves
 * {@code /apt/<path>} only for paths listed here: pool paths from the store, metadata files from
 * the generation directory.
 */
@JsonPropertyOrder({"pool", "suites", "files"})
public record AptIndex(Map<String, PoolEntry> pool, Map<String, Suite> suites, Map<String, FileEntry> files) {
  public static final String DIRECTORY = "apt";
  public static final String RELATIVE_PATH = DIRECTORY + "/index.json";

  public AptIndex {
    pool = Collections.unmodifiableMap(new TreeMap<>(pool));
    suites = Collections.unmodifiableMap(new TreeMap<>(suites));
    files = Collections.unmodifiableMap(new TreeMap<>(files));
  }

  /** A package file: its blob, size, control paragraph (as in the .deb), and the bundle that brought it. */
  @JsonPropertyOrder({"sha256", "size", "control", "bundleId"})
  public record PoolEntry(Digest sha256, long size, String control, String bundleId) {}

  /** A suite: its architectures (besides {@code all}) and the pool paths it publishes. */
  @JsonPropertyOrder({"architectures", "packages"})
  public record Suite(List<String> architectures, List<String> packages) {
    public Suite {
      architectures = List.copyOf(new java.util.TreeSet<>(architectures));
      packages = List.copyOf(new java.util.TreeSet<>(packages));
    }
  }

  /** A generated metadata file under {@code apt/}. */
  @JsonPropertyOrder({"sha256", "size"})
  public record FileEntry(Digest sha256, long size) {}

  public static AptIndex empty() {
    return new AptIndex(Map.of(), Map.of(), Map.of());
  }

  /** Reads a generation's apt index; a generation without one publishes no apt repository. */
  public static AptIndex read(Path generationDir) {
    Path file = generationDir.resolve(RELATIVE_PATH);
    if (!Files.exists(file)) return empty();
    try {
      return Json.strict().readValue(file.toFile(), AptIndex.class);
    } catch (IOException e) {
      throw IntegrityException.malformed(file.toString(), "unreadable apt index: " + e.getMessage(), e);
    }
  }

  public void write(Path generationDir) throws IOException {
    Path file = generationDir.resolve(RELATIVE_PATH);
    Files.createDirectories(file.getParent());
    Files.write(file, Json.strict().writeValueAsBytes(this));
  }

  public boolean isEmpty() {
    return pool.isEmpty() && suites.isEmpty();
  }
}
