package dev.airgap.core.mirror.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CardDataTest {
  @Test
  void frontMatterIsTheYamlBetweenTheDashLinesWhateverTheLineEnds() throws Exception {
    ObjectNode card = CardData.parse("---\nlicense: mit\nlanguage: [en, de]\nmodel-index:\n- name: m\n  results: []\n---\n# Title\n---\nnot yaml: [\n");
    assertEquals("{\"license\":\"mit\",\"language\":[\"en\",\"de\"],\"model-index\":[{\"name\":\"m\",\"results\":[]}]}", card.toString());
    assertEquals("{\"license\":\"mit\"}", CardData.parse("\n---\r\nlicense: mit\r\n---\r\n").toString());
    assertEquals("{\"license\":\"mit\"}", CardData.fromReadme(new ByteArrayInputStream("---\nlicense: mit\n---".getBytes(StandardCharsets.UTF_8))).toString());
  }

  @Test
  void noUsableFrontMatterIsNoCard() {
    assertNull(CardData.parse("# just a title\n"));
    assertNull(CardData.parse("---\nlicense: mit\n")); // never closed
    assertNull(CardData.parse("---\n- a\n- b\n---\n")); // not a mapping
    assertNull(CardData.parse("---\n---\n"));
    assertNull(CardData.parse("---\nkey: [unclosed\n---\n"));
    assertNull(CardData.parse("---\nbig: \"" + "x".repeat(CardData.MAX_CARD_JSON_BYTES) + "\"\n---\n"));
  }

  @Test
  void tagsAreDerivedFromTheCardAsTheHubDoes() {
    ObjectNode model = CardData.parse("---\nlibrary_name: transformers\ntags: [a, b]\npipeline_tag: fill-mask\nlanguage: en\n"
        + "datasets: [org/d]\nbase_model: org/base\nlicense: apache-2.0\n---\n");
    assertEquals(List.of("transformers", "a", "b", "fill-mask", "en", "dataset:org/d", "base_model:org/base", "license:apache-2.0"), CardData.tags(HfIndex.MODEL, model));
    ObjectNode data = CardData.parse("---\ntags: [x, x]\ntask_categories: [qa]\nlanguage: [en]\nsize_categories: [n<1K]\nlicense: cc0-1.0\nlibrary_name: ignored\n---\n");
    assertEquals(List.of("x", "task_categories:qa", "language:en", "size_categories:n<1K", "license:cc0-1.0"), CardData.tags(HfIndex.DATASET, data));
    assertEquals(List.of(), CardData.tags(HfIndex.MODEL, null));
    assertEquals("fill-mask", CardData.text(model, "pipeline_tag"));
    assertNull(CardData.text(model, "tags"));
  }
}
