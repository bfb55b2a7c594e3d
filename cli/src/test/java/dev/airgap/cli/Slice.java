package dev.airgap.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ecosystem slice under {@link SliceContractTest}: how to export its fixture and where its
 * files must appear on the mirror. One implementation per ecosystem, each in its own file.
 */
interface Slice {
  String type();

  String sbomComponentType();

  String purlPrefix();

  /** Artifact types the export derives beside the slice's own (e.g. pypi's {@code pypi-lock}); the contract leaves them to the slice's tests. */
  default Set<String> derivedTypes() {
    return Set.of();
  }

  /** Builds the fixture in {@code dir} and returns the export flags for it. */
  List<String> exportArgs(Path dir) throws Exception;

  /** Extra flags for {@code airgap import} (e.g. the repository signing key apt needs). */
  default List<String> importArgs(Path dir) throws Exception {
    return List.of();
  }

  /** URL path (under the mirror) → the file whose bytes it must serve. */
  Map<String, Path> expectedUrls(Path dir, String channel);

  /** Changes one file of the fixture and returns the URL whose content must change. */
  String mutate(Path dir, String channel) throws IOException;
}
