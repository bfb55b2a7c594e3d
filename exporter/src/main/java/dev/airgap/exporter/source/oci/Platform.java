package dev.airgap.exporter.source.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.error.UsageException;

/** A platform to keep from an index: {@code os/architecture[/variant]}, e.g. {@code linux/arm64}. */
record Platform(String os, String architecture, String variant) {
  static Platform parse(String text, String where) {
    String[] p = text == null ? new String[0] : text.split("/", -1);
    if (p.length < 2 || p.length > 3 || !text.matches("[a-z0-9._/-]+") || p[0].isEmpty() || p[1].isEmpty() || (p.length == 3 && p[2].isEmpty())) {
      throw new UsageException(where + ": platform '" + text + "' must be os/architecture[/variant], e.g. linux/arm64");
    }
    return new Platform(p[0], p[1], p.length == 3 ? p[2] : null);
  }

  boolean matches(JsonNode platform) {
    if (!os.equals(platform.path("os").asText()) || !architecture.equals(platform.path("architecture").asText())) return false;
    return variant == null || variant.equals(platform.path("variant").asText());
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant != null ? "/" + variant : "");
  }
}
