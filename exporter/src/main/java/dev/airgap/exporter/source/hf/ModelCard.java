package dev.airgap.exporter.source.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.mirror.hf.CardData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The facts airgap takes from a model card: {@code license} and {@code base_model}, from the
 * hub's {@code cardData} or from the YAML front matter of {@code README.md}. Anything unreadable
 * is simply absent: the card is documentation, not something the export depends on.
 */
final class ModelCard {
  private ModelCard() {}

  /** {@code license} and {@code baseModel} from card data (a JSON/YAML mapping). */
  static Map<String, String> facts(JsonNode cardData) {
    Map<String, String> facts = new LinkedHashMap<>();
    if (cardData == null || !cardData.isObject()) return facts;
    put(facts, "license", cardData.get("license"));
    put(facts, "baseModel", cardData.get("base_model"));
    return facts;
  }

  /** Card facts from the front matter of a README.md file on disk (first MiB only), found as the mirror finds it. */
  static Map<String, String> fromReadme(Path readme) {
    try (InputStream in = Files.newInputStream(readme)) {
      return facts(CardData.fromReadme(in));
    } catch (IOException e) {
      return Map.of();
    }
  }

  private static void put(Map<String, String> facts, String key, JsonNode value) {
    if (value == null || value.isNull()) return;
    List<String> parts = new ArrayList<>();
    if (value.isArray()) {
      value.forEach(v -> {
        if (v.isValueNode()) parts.add(v.asText().strip());
      });
    } else if (value.isValueNode()) {
      parts.add(value.asText().strip());
    }
    String joined = String.join(",", parts.stream().filter(s -> !s.isEmpty() && s.chars().noneMatch(Character::isISOControl)).toList());
    if (!joined.isEmpty() && joined.length() <= 1024) facts.put(key, joined);
  }
}
