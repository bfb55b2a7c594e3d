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
import java.util.Optional;
import java.util.TreeMap;

/**
 * The pip locks a generation serves: {@code pypi/locks.json}, channel → target → lock ({@link
 * PipLock}), each computed on import from the verified manifest of the channel's latest bundle with
 * Python packages. Written by the importer's pypi publisher, read by the mirror's pypi route; a
 * generation without the file serves no locks.
 */
public record PipLocks(Map<String, Map<String, Lock>> channels) {
  public static final String RELATIVE_PATH = "pypi/locks.json";

  public PipLocks {
    TreeMap<String, Map<String, Lock>> copy = new TreeMap<>();
    channels.forEach((channel, byTarget) -> copy.put(channel, Collections.unmodifiableMap(new TreeMap<>(byTarget))));
    channels = Collections.unmodifiableMap(copy);
  }

  /** One lock: the bundle it was computed from, its digest (the ETag) and its text. */
  @JsonPropertyOrder({"bundleId", "sha256", "text"})
  public record Lock(String bundleId, Digest sha256, String text) {}

  public static PipLocks empty() {
    return new PipLocks(Map.of());
  }

  public static PipLocks read(Path generationDir) {
    Path file = generationDir.resolve(RELATIVE_PATH);
    if (!Files.exists(file)) return empty();
    try {
      return Json.strict().readValue(file.toFile(), PipLocks.class);
    } catch (IOException e) {
      throw IntegrityException.malformed(file.toString(), "unreadable pip locks: " + e.getMessage(), e);
    }
  }

  public void write(Path generationDir) throws IOException {
    Path file = generationDir.resolve(RELATIVE_PATH);
    Files.createDirectories(file.getParent());
    Files.write(file, Json.strict().writeValueAsBytes(this));
  }

  public Optional<Lock> lock(String channel, String target) {
    return Optional.ofNullable(channels.getOrDefault(channel, Map.of()).get(target));
  }
}
