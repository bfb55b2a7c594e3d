package dev.airgap.core.mirror;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.airgap.core.Json;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code generation.json}: which generation this is and, per channel, the last bundle imported into
 * it. Publishing a generation publishes this state with it, so the rollback check and the served
 * content can never disagree.
 */
@JsonPropertyOrder({"generation", "created", "channels"})
public record GenerationInfo(long generation, Instant created, Map<String, ChannelState> channels) {
  public GenerationInfo {
    channels = java.util.Collections.unmodifiableMap(new TreeMap<>(channels));
  }

  /** The last bundle accepted for a channel. */
  @JsonPropertyOrder({"sequence", "bundleId", "manifestSha256", "imported"})
  public record ChannelState(long sequence, String bundleId, String manifestSha256, Instant imported) {}

  public static GenerationInfo read(Path generationDir) {
    Path file = generationDir.resolve(MirrorLayout.GENERATION_FILE);
    try {
      return Json.strict().readValue(file.toFile(), GenerationInfo.class);
    } catch (IOException e) {
      throw IntegrityException.malformed(file.toString(), "unreadable generation record: " + e.getMessage(), e);
    }
  }

  public void write(Path generationDir) throws IOException {
    Files.write(generationDir.resolve(MirrorLayout.GENERATION_FILE), Json.strict().writeValueAsBytes(this));
  }
}
