package dev.airgap.exporter;

import java.nio.file.Path;
import java.util.List;

/**
 * What to export: signing keys, the output bundle, an optional spec file and quick CLI sources.
 * {@code channel}, {@code sequence} and {@code expires} override the spec when not null. {@code
 * stateDir} (nullable) is where sources keep state between exports, e.g. the refs of the last git
 * export of a channel.
 */
public record ExportRequest(
    List<Path> keys,
    Path out,
    Path spec,
    String channel,
    Long sequence,
    String expires,
    List<Path> files,
    List<Path> models,
    Path stateDir) {

  public ExportRequest(List<Path> keys, Path out, Path spec, String channel, Long sequence, String expires, List<Path> files, List<Path> models) {
    this(keys, out, spec, channel, sequence, expires, files, models, null);
  }

  public ExportRequest {
    keys = List.copyOf(keys);
    files = files == null ? List.of() : List.copyOf(files);
    models = models == null ? List.of() : List.copyOf(models);
  }
}
