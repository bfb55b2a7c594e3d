package dev.airgap.exporter.source;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Shared facilities for sources during one export.
 *
 * <ul>
 *   <li>{@link #baseDir()}: where relative spec paths start;
 *   <li>{@link #hashPool()}: a pool for hashing and downloading in parallel;
 *   <li>{@link #workDir()}: a private directory beside the output bundle for downloaded content
 *       (blob sources may point into it); deleted when the export ends, written or not;
 *   <li>{@link #stateDir()}: where a source may keep state between exports of a channel (e.g. the
 *       refs a git export carried), under {@code <state>/<channel>/}; empty when not configured;
 *   <li>{@link #afterCommit(Runnable)}: work to run only once the bundle has been written (e.g.
 *       recording that state), never when the export fails.
 * </ul>
 */
public final class ExportContext {
  private final Path baseDir;
  private final ExecutorService hashPool;
  private final Path workDir;
  private final Optional<Path> stateDir;
  private final String channel;
  private final List<Runnable> commitActions;

  public ExportContext(Path baseDir, ExecutorService hashPool, Path workDir, Optional<Path> stateDir, String channel, List<Runnable> commitActions) {
    this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
    this.hashPool = Objects.requireNonNull(hashPool, "hashPool");
    this.workDir = Objects.requireNonNull(workDir, "workDir");
    this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
    this.channel = Objects.requireNonNull(channel, "channel");
    this.commitActions = commitActions;
  }

  /** A context for tests and simple callers: work files under {@code workDir}, no state. */
  public static ExportContext simple(Path baseDir, ExecutorService hashPool, Path workDir) {
    return new ExportContext(baseDir, hashPool, workDir, Optional.empty(), "default", new ArrayList<>());
  }

  public Path baseDir() {
    return baseDir;
  }

  public ExecutorService hashPool() {
    return hashPool;
  }

  public Path workDir() {
    return workDir;
  }

  public Optional<Path> stateDir() {
    return stateDir;
  }

  public String channel() {
    return channel;
  }

  public void afterCommit(Runnable action) {
    commitActions.add(Objects.requireNonNull(action));
  }
}
