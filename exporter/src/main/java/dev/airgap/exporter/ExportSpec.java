package dev.airgap.exporter;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An export spec file (YAML, docs/export-spec.md): bundle-level settings plus a list of artifact
 * entries, each with a {@code type} that selects the source that reads the rest of its fields.
 */
public record ExportSpec(Path baseDir, String channel, Long sequence, String expires, List<JsonNode> artifacts) {
  private static final Set<String> TOP_LEVEL = Set.of("channel", "sequence", "expires", "artifacts");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  public ExportSpec {
    artifacts = List.copyOf(artifacts);
  }

  public static ExportSpec empty(Path baseDir) {
    return new ExportSpec(baseDir, null, null, null, List.of());
  }

  public static ExportSpec read(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(file.toFile());
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new UsageException(file + ": spec file not found");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UsageException(file + ": not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
    if (root == null || !(root instanceof ObjectNode obj)) throw new UsageException(file + ": expected a mapping with 'artifacts'");
    obj.fieldNames().forEachRemaining(name -> {
      if (!TOP_LEVEL.contains(name)) throw new UsageException(file + ": unknown field '" + name + "' (expected one of " + TOP_LEVEL + ")");
    });
    List<JsonNode> artifacts = new ArrayList<>();
    JsonNode list = obj.get("artifacts");
    if (list != null && !list.isNull()) {
      if (!(list instanceof ArrayNode array)) throw new UsageException(file + ": 'artifacts' must be a list");
      for (int i = 0; i < array.size(); i++) {
        JsonNode entry = array.get(i);
        if (!entry.isObject() || !entry.path("type").isTextual()) {
          throw new UsageException(file + ": artifacts[" + i + "]: expected a mapping with a 'type'");
        }
        artifacts.add(entry);
      }
    }
    Long sequence = null;
    if (obj.hasNonNull("sequence")) {
      if (!obj.get("sequence").canConvertToExactIntegral() || obj.get("sequence").asLong() < 1) throw new UsageException(file + ": 'sequence' must be a positive integer");
      sequence = obj.get("sequence").asLong();
    }
    return new ExportSpec(
        file.toAbsolutePath().getParent(),
        obj.hasNonNull("channel") ? obj.get("channel").asText() : null,
        sequence,
        obj.hasNonNull("expires") ? obj.get("expires").asText() : null,
        artifacts);
  }
}
