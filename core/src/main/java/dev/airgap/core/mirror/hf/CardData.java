package dev.airgap.core.mirror.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A repository card's metadata as the Hub serves it: the YAML front matter of {@code README.md}
 * ({@code cardData}), and the {@code tags} the Hub derives from it. The card is documentation:
 * anything unreadable is simply absent, never an error.
 */
public final class CardData {
  /** Only the first MiB of a README is read for its front matter. */
  public static final int MAX_README_BYTES = 1 << 20;
  /** A larger card is dropped: every revision info carries it, and the index holds it in memory. */
  public static final int MAX_CARD_JSON_BYTES = 256 << 10;
  private static final int MAX_TAG_LENGTH = 256;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** As the Hub's own client finds it: a leading {@code ---} line, the YAML, a closing {@code ---} line. */
  private static final Pattern FRONT_MATTER = Pattern.compile("\\A\\s*---[\\r\\n]+([\\s\\S]*?)[\\r\\n]+---(?:\\r\\n|\\n|\\z)");

  private CardData() {}

  /** Loaded on first parse only: the mirror, which only reads stored cards, never needs it. */
  private static final class Yaml {
    static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());
  }

  /** The front matter of a README read from {@code in} (its first MiB), or null when there is none. */
  public static ObjectNode fromReadme(InputStream in) throws IOException {
    return parse(new String(in.readNBytes(MAX_README_BYTES), StandardCharsets.UTF_8));
  }

  /** The front matter of README text as a JSON object, or null: none, not a mapping, unparsable or too large. */
  public static ObjectNode parse(String readme) {
    Matcher m = FRONT_MATTER.matcher(readme);
    if (!m.find()) return null;
    try {
      JsonNode n = Yaml.MAPPER.readTree(m.group(1));
      if (n == null || !n.isObject() || n.isEmpty()) return null;
      if (JSON.writeValueAsBytes(n).length > MAX_CARD_JSON_BYTES) return null;
      return (ObjectNode) n;
    } catch (IOException | RuntimeException e) {
      return null; // documentation, not something anything depends on
    }
  }

  /**
   * The tags the Hub lists for a repository from its card: for models {@code library_name}, the
   * card's {@code tags}, {@code pipeline_tag}, each {@code language}, {@code dataset:}, {@code
   * base_model:} and {@code license:} entries; for datasets the card's {@code tags} and the
   * {@code task_categories:}, {@code task_ids:}, {@code language:}, {@code size_categories:} and
   * {@code license:} entries. (The Hub adds tags it infers from the files; the mirror does not.)
   */
  public static List<String> tags(String kind, JsonNode card) {
    Set<String> tags = new LinkedHashSet<>();
    if (card == null || !card.isObject()) return List.of();
    if (kind.equals(HfIndex.DATASET)) {
      add(tags, "", card.get("tags"));
      for (String key : List.of("task_categories", "task_ids", "language", "size_categories", "license")) add(tags, key + ":", card.get(key));
    } else {
      add(tags, "", card.get("library_name"));
      add(tags, "", card.get("tags"));
      add(tags, "", card.get("pipeline_tag"));
      add(tags, "", card.get("language"));
      add(tags, "dataset:", card.get("datasets"));
      add(tags, "base_model:", card.get("base_model"));
      add(tags, "license:", card.get("license"));
    }
    return new ArrayList<>(tags);
  }

  /** A card value that is one plain string, or null. */
  public static String text(JsonNode card, String key) {
    JsonNode v = card == null ? null : card.get(key);
    if (v == null || !v.isValueNode() || v.isNull()) return null;
    String s = v.asText().strip();
    return clean(s) ? s : null;
  }

  private static void add(Set<String> tags, String prefix, JsonNode value) {
    if (value == null || value.isNull()) return;
    if (value.isArray()) {
      value.forEach(v -> add(tags, prefix, v));
    } else if (value.isValueNode()) {
      String s = value.asText().strip();
      if (clean(s)) tags.add(prefix + s);
    }
  }

  private static boolean clean(String s) {
    return !s.isEmpty() && s.length() <= MAX_TAG_LENGTH && s.chars().noneMatch(Character::isISOControl);
  }
}
