package dev.airgap.exporter;

import java.nio.file.Path;
import java.util.List;

/**
 * What to export: signing keys, the output bundle, an optional spec file and quick CLI sources.
 * {@code channel}, {@code sequence} and {@code expires} override the spec when not null.
 */
public record ExportRequest(
    List<Path> keys,
    Path out,
    Path spec,
    String channel,
    Long sequence,
    String expires,
    List<Path> files,
    List<Path> models) {

  public ExportRequest {
    keys = List.copyOf(keys);
    files = files == null ? List.of() : List.copyOf(files);
    models = models == null ? List.of() : List.copyOf(models);
  }
}
