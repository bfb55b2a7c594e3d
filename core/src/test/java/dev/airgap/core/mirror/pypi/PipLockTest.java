package dev.airgap.core.mirror.pypi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.Digest;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pip lock a manifest's pypi releases give: per target, every carried file's hash, nothing else. */
class PipLockTest {
  private static Artifact release(String name, String version, String targets, String... files) {
    List<ArtifactFile> list = new ArrayList<>();
    for (String f : files) {
      String path = "pypi/" + name + "/" + f;
      list.add(new ArtifactFile(LogicalPath.parse(path, path), f.length(), hash(f), "application/octet-stream"));
    }
    return new Artifact("pypi", name, version, "pkg:pypi/" + name + "@" + version, Map.of("targets", targets), list);
  }

  private static Digest hash(String f) {
    return Digest.of(f.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void oneLockPerTargetWithEveryDistributionFileOfEachRelease() {
    List<Artifact> artifacts = List.of(
        release("native", "1.0", "cp311-manylinux_2_28_x86_64, cp311-win_amd64",
            "native-1.0-cp311-cp311-win_amd64.whl", "native-1.0-cp311-cp311-win_amd64.whl.metadata", "native-1.0.tar.gz"),
        release("winonly", "1.0", "cp311-win_amd64", "winonly-1.0-py3-none-any.whl"),
        new Artifact("files", "readme", "1", "pkg:generic/readme@1", Map.of("targets", "cp311-win_amd64"), List.of()));
    PipLock.Result r = PipLock.of("py", artifacts);
    assertEquals(List.of("cp311-manylinux_2_28_x86_64", "cp311-win_amd64"), List.copyOf(r.locks().keySet()));
    String linux = new String(r.locks().get("cp311-manylinux_2_28_x86_64"), StandardCharsets.UTF_8);
    String wheel = hash("native-1.0-cp311-cp311-win_amd64.whl").hex();
    String sdist = hash("native-1.0.tar.gz").hex();
    String[] sorted = wheel.compareTo(sdist) < 0 ? new String[] {wheel, sdist} : new String[] {sdist, wheel};
    assertEquals("# airgap pip lock: channel py, target cp311-manylinux_2_28_x86_64\n"
        + "# pip install --require-hashes -r THIS-FILE (every file the bundle carries of each pinned release)\n"
        + "native==1.0 \\\n    --hash=sha256:" + sorted[0] + " \\\n    --hash=sha256:" + sorted[1] + "\n", linux);
    String windows = new String(r.locks().get("cp311-win_amd64"), StandardCharsets.UTF_8);
    assertTrue(windows.contains("\nwinonly==1.0 \\\n    --hash=sha256:" + hash("winonly-1.0-py3-none-any.whl").hex() + "\n"), windows);
    assertTrue(r.omitted().isEmpty());
    // deterministic: the same manifest gives the same bytes, in any artifact order
    assertEquals(windows, new String(PipLock.of("py", List.of(artifacts.get(1), artifacts.get(0))).locks().get("cp311-win_amd64"), StandardCharsets.UTF_8));
  }

  @Test
  void aTargetWithTwoVersionsOfAProjectGetsNoLock() {
    PipLock.Result r = PipLock.of("py", List.of(
        release("alpha", "1.0", "cp311-any, cp312-any", "alpha-1.0-py3-none-any.whl"),
        release("alpha", "2.0", "cp312-any", "alpha-2.0-py3-none-any.whl")));
    assertEquals(List.of("cp311-any"), List.copyOf(r.locks().keySet()));
    assertEquals("the bundle carries several versions of alpha 1.0 and 2.0 for cp312-any", r.omitted().get("cp312-any"));
  }
}
