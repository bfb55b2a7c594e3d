package dev.airgap.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A file:// upstream with one artifact and its dependency, exported by coordinates. */
final class MavenSlice implements Slice {
  @Override public String type() { return "maven"; }
  @Override public String sbomComponentType() { return "library"; }
  @Override public String purlPrefix() { return "pkg:maven/"; }

  @Override
  public List<String> exportArgs(Path dir) throws Exception {
    Path repo = dir.resolve("upstream");
    MavenRepoFixture.publish(repo, "com.example", "gear", "2.0", "gear jar v2.0\n".getBytes(StandardCharsets.UTF_8), List.of());
    MavenRepoFixture.publish(repo, "com.example", "widget", "1.0", "widget jar v1\n".getBytes(StandardCharsets.UTF_8), List.of("com.example:gear:2.0"));
    return List.of("--spec", MavenRepoFixture.spec(dir.resolve("spec.yaml"), repo, List.of("com.example:widget:1.0")).toString());
  }

  @Override
  public Map<String, Path> expectedUrls(Path dir, String channel) {
    Map<String, Path> m = new LinkedHashMap<>();
    for (String gav : List.of("com.example:widget:1.0", "com.example:gear:2.0")) {
      String[] p = gav.split(":");
      Path versionDir = MavenRepoFixture.dir(dir.resolve("upstream"), p[0], p[1], p[2]);
      for (String ext : List.of("pom", "jar")) {
        String name = p[1] + "-" + p[2] + "." + ext;
        m.put("/maven2/com/example/" + p[1] + "/" + p[2] + "/" + name, versionDir.resolve(name));
      }
    }
    return m;
  }

  @Override
  public String mutate(Path dir, String channel) throws IOException {
    Path jar = MavenRepoFixture.dir(dir.resolve("upstream"), "com.example", "widget", "1.0").resolve("widget-1.0.jar");
    MavenRepoFixture.writeWithChecksums(jar, "widget jar v1, rebuilt\n".getBytes(StandardCharsets.UTF_8));
    return "/maven2/com/example/widget/1.0/widget-1.0.jar";
  }
}
