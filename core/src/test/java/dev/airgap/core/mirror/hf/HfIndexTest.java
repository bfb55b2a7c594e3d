package dev.airgap.core.mirror.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfIndexTest {
  static final String COMMIT = "a".repeat(40);

  @Test
  void anIndexWrittenBeforeTagsAndFullCardsIsStillRead(@TempDir Path generation) throws Exception {
    Files.createDirectories(generation.resolve("hf"));
    Files.writeString(generation.resolve(HfIndex.RELATIVE_PATH), "{\"kinds\":{\"model\":{\"org/m\":{\"head\":\"" + COMMIT + "\",\"refs\":{\"v1\":\"" + COMMIT
        + "\"},\"commits\":{\"" + COMMIT + "\":{\"bundleId\":\"b-1\",\"imported\":\"2025-01-01T00:00:00Z\",\"card\":{\"license\":\"mit\"},\"files\":{}}}}}}}");
    HfIndex.Repo repo = HfIndex.read(generation).repo(HfIndex.MODEL, "org/m");
    assertEquals(Set.of(), repo.tags());
    assertEquals(Map.of("main", COMMIT, "v1", COMMIT), repo.branches());
    assertEquals("{\"license\":\"mit\"}", repo.commits().get(COMMIT).card().toString());
  }

  @Test
  void tagsAreKeptAndAreNotBranches(@TempDir Path generation) throws Exception {
    HfIndex.Commit c = new HfIndex.Commit("b-1", java.time.Instant.EPOCH, null, Map.of());
    HfIndex index = new HfIndex(Map.of(HfIndex.MODEL, Map.of("org/m", new HfIndex.Repo(COMMIT, Map.of("v1", COMMIT, "dev", COMMIT),
        Set.of("v1", "not-a-ref"), Map.of(COMMIT, c)))));
    index.write(generation);
    HfIndex.Repo repo = HfIndex.read(generation).repo(HfIndex.MODEL, "org/m");
    assertEquals(Set.of("v1"), repo.tags());
    assertEquals(Map.of("main", COMMIT, "dev", COMMIT), repo.branches());
  }
}
