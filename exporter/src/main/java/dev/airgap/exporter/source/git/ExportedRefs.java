package dev.airgap.exporter.source.git;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Json;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The refs the last written bundle of a channel carried for one repository: the base of the next
 * incremental bundle. Kept in {@code <state>/<channel>/git/<name>.json}; written only after the
 * bundle that carried them exists.
 */
@JsonPropertyOrder({"url", "refs"})
record ExportedRefs(String url, Map<String, String> refs) {
  ExportedRefs {
    refs = Collections.unmodifiableMap(new TreeMap<>(refs));
  }

  static Path file(Path stateDir, String name) {
    return stateDir.resolve("git").resolve(name + ".json");
  }

  static Optional<ExportedRefs> read(Path stateDir, String name) {
    Path file = file(stateDir, name);
    if (!Files.exists(file)) return Optional.empty();
    try {
      return Optional.of(Json.strict().readValue(file.toFile(), ExportedRefs.class));
    } catch (IOException e) {
      throw new UsageException(file + ": unreadable git export state (" + e.getMessage() + "); delete it to export a full bundle");
    }
  }

  void write(Path stateDir, String name) {
    Path file = file(stateDir, name);
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), "." + name, ".tmp");
      Files.write(tmp, Json.strict().writeValueAsBytes(this));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
  }
}
