package dev.airgap.mirror.git;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The bare repositories of recent generations, opened once and shared by requests. A published
 * repository never changes, so an open one stays valid; the least recently used are closed once
 * the last request using them releases them (JGit's use count).
 */
final class OpenRepositories {
  static final int MAX_OPEN = 32;

  private final Map<Path, Repository> open = new LinkedHashMap<>(16, 0.75f, true);

  /** The repository at {@code dir}, with one use counted: the caller must {@code close()} it. */
  synchronized Repository acquire(Path dir) throws IOException {
    Repository repo = open.get(dir);
    if (repo == null) {
      repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().setMustExist(true).build();
      open.put(dir, repo);
      Iterator<Map.Entry<Path, Repository>> eldest = open.entrySet().iterator();
      while (open.size() > MAX_OPEN && eldest.hasNext()) {
        Repository old = eldest.next().getValue();
        eldest.remove();
        old.close(); // the cache's own use; requests still holding it keep it open
      }
    }
    repo.incrementOpen();
    return repo;
  }
}
