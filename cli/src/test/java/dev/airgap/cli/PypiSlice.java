package dev.airgap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The PyPI slice under the contract: the fixture index read through file://, served under /pypi/files/. */
final class PypiSlice implements Slice {
  @Override public String type() { return "pypi"; }
  @Override public String sbomComponentType() { return "library"; }
  @Override public String purlPrefix() { return "pkg:pypi/"; }
  @Override public Set<String> derivedTypes() { return Set.of("pypi-lock"); }

  @Override
  public List<String> exportArgs(Path dir) throws Exception {
    Path upstream = PypiFixture.build(dir.resolve("upstream"));
    Path spec = Files.writeString(dir.resolve("pypi.yaml"), "artifacts:\n  - type: pypi\n    indexes: ['" + upstream.resolve("simple").toUri() + "']\n"
        + "    requirements: [app]\n    targets:\n      - python: '3.11'\n        platforms: [manylinux_2_28_x86_64]\n");
    return List.of("--spec", spec.toString());
  }

  @Override
  public Map<String, Path> expectedUrls(Path dir, String channel) {
    Map<String, Path> m = new LinkedHashMap<>();
    for (String f : List.of("app/app-1.0-py3-none-any.whl", "alpha/alpha-2.0-py3-none-any.whl", "alpha/alpha-2.0-py3-none-any.whl.metadata",
        "beta/beta-1.0-py3-none-any.whl", "native/native-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")) {
      m.put("/pypi/files/" + f, dir.resolve("upstream/files").resolve(f.substring(f.indexOf('/') + 1)));
    }
    return m;
  }

  @Override
  public String mutate(Path dir, String channel) throws IOException {
    try {
      PypiFixture.build(dir.resolve("upstream"), "2");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return "/pypi/files/alpha/alpha-2.0-py3-none-any.whl";
  }
}
