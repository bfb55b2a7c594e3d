package dev.airgap.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The strict JSON mapper used for everything signed or read from a bundle or a mirror: duplicate
 * keys, unknown properties, trailing tokens and missing primitives are errors.
 */
public final class Json {
  private static final JsonMapper STRICT = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
      .build();

  static {
    STRICT.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxStringLength(64 << 20).maxNestingDepth(64).build());
  }

  private Json() {}

  /** The shared strict mapper; configured once, thread-safe. */
  public static ObjectMapper strict() {
    return STRICT;
  }
}
