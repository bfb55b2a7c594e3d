package dev.airgap.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The git artifact's {@code update:<ref>} properties as inspect reads them; bundles without them have none. */
class RefUpdateTest {
  private static Artifact git(Map<String, String> props) {
    return new Artifact("git", "tool", "c0ffee", "pkg:generic/tool@c0ffee", props, List.of());
  }

  @Test
  void bundlesWithoutUpdatePropertiesHaveNone() {
    assertEquals(List.of(), RefUpdate.of(git(Map.of("ref:refs/heads/main", "a → b (1 new commit)", "bundle", "full"))));
    assertEquals(List.of(), RefUpdate.of(new Artifact("files", "x", "1", "pkg:generic/x@1", Map.of("update:refs/heads/main", "non-fast-forward"), List.of())),
        "only git artifacts");
  }

  @Test
  void forcedAndMoved() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("ref:refs/heads/main", "a → b (forced update, not a fast-forward; 1 new commit, 1 dropped commit)");
    props.put("update:refs/heads/main", "non-fast-forward");
    props.put("ref:refs/tags/v1", "a → c (tag moved; 2 new commits)");
    props.put("update:refs/tags/v1", "tag-moved");
    List<RefUpdate> updates = RefUpdate.of(git(props));
    assertEquals(2, updates.size());
    assertTrue(updates.get(0).forced());
    assertEquals("git 'tool' refs/heads/main: forced update (not a fast-forward): a → b (forced update, not a fast-forward; 1 new commit, 1 dropped commit)",
        updates.get(0).describe());
    assertFalse(updates.get(1).forced());
    assertEquals("git 'tool' refs/tags/v1: tag moved: a → c (tag moved; 2 new commits)", updates.get(1).describe());
  }
}
