package dev.airgap.exporter.source;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.airgap.core.error.UsageException;

/** Strict binding of a spec node to a source's entry record: unknown fields are errors. */
public final class SpecNodes {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private SpecNodes() {}

  public static <T> T parse(JsonNode node, String where, Class<T> type) {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (UnrecognizedPropertyException e) {
      throw new UsageException(where + ": unknown field '" + e.getPropertyName() + "'");
    } catch (Exception e) {
      String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new UsageException(where + ": " + msg);
    }
  }
}
