package dev.airgap.core.mirror;

import dev.airgap.core.Digest;
import dev.airgap.core.error.EnvironmentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The on-disk layout of a mirror directory (docs/mirror-layout.md). Only the generation that
 * {@code current} points to, plus the blobs it references in {@code store/}, are ever served.
 *
 * <pre>
 * MIRROR/current                 symlink to generations/NNNNNNNNNN, replaced by an atomic rename
 * MIRROR/generations/NNNNNNNNNN/ immutable once published: generation.json, per-ecosystem indexes, bundles/
 * MIRROR/store/sha256/xx/HEX     content-addressed blobs, immutable
 * MIRROR/staging/                import work area, never served
 * MIRROR/quarantine/             rejected files with a reason, never served
 * MIRROR/audit/audit.log         hash-chained audit records
 * MIRROR/.lock                   held by the one running import
 * </pre>
 */
public record MirrorLayout(Path root) {
  public static final String CURRENT = "current";
  public static final String GENERATION_FILE = "generation.json";

  public MirrorLayout {
    root = root.toAbsolutePath().normalize();
  }

  public Path current() {
    return root.resolve(CURRENT);
  }

  public Path generations() {
    return root.resolve("generations");
  }

  public Path generation(long number) {
    return generations().resolve(generationName(number));
  }

  public static String generationName(long number) {
    return String.format("%010d", number);
  }

  public Path store() {
    return root.resolve("store");
  }

  public Path blob(Digest digest) {
    String hex = digest.hex();
    return store().resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex);
  }

  public Path staging() {
    return root.resolve("staging");
  }

  public Path quarantine() {
    return root.resolve("quarantine");
  }

  public Path auditLog() {
    return root.resolve("audit").resolve("audit.log");
  }

  public Path lockFile() {
    return root.resolve(".lock");
  }

  /**
   * The directory of the published generation, resolved once so a caller sees one generation for
   * the whole of its work; empty when nothing has been published yet.
   */
  public java.util.Optional<Path> currentGeneration() {
    try {
      Path target = Files.readSymbolicLink(current());
      return java.util.Optional.of(current().resolveSibling(target).normalize());
    } catch (NoSuchFileException e) {
      return java.util.Optional.empty();
    } catch (IOException e) {
      throw EnvironmentException.io(current(), e);
    }
  }
}
