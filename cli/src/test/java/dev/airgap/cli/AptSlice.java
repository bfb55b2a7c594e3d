package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The apt slice under the contract: the closure of {@code hello} from the aptly-built upstream
 * fixture (by {@code file://} URL) plus one local .deb, which {@link #mutate} rebuilds with other
 * content under the same version (a newer bundle's file replaces the pool entry).
 */
final class AptSlice implements Slice {
  @Override public String type() { return "apt"; }
  @Override public String sbomComponentType() { return "library"; }
  @Override public String purlPrefix() { return "pkg:deb/debian/"; }

  @Override
  public List<String> exportArgs(Path dir) throws Exception {
    AptFixture.build(dir.resolve("upstream"));
    buildLocal(dir, "first");
    Path spec = dir.resolve("apt.yaml");
    Files.writeString(spec, "artifacts:\n  - type: apt\n    url: " + dir.resolve("upstream/repo").toUri() + "\n    suite: stable\n"
        + "    keyring: upstream/upstream.gpg\n    packages: [hello]\n    debs: [local/localtool_2.1-1_all.deb]\n");
    return List.of("--spec", spec.toString());
  }

  @Override
  public List<String> importArgs(Path dir) throws Exception {
    Path key = dir.resolve("repo-key/repo.secret.asc");
    if (!Files.exists(key)) Cli.run("keys", "generate", "--openpgp", "--out", dir.resolve("repo-key").toString(), "--name", "repo").expect(0);
    return List.of("--repo-key", key.toString());
  }

  @Override
  public Map<String, Path> expectedUrls(Path dir, String channel) {
    Map<String, Path> m = new LinkedHashMap<>();
    for (String p : List.of("h/hello/hello_1.0-1_amd64.deb", "libg/libgreet/libgreet_2.0~beta1-1_amd64.deb", "g/greet-data/greet-data_0.1-1_all.deb",
        "p/plainlog/plainlog_1.0_all.deb", "t/tinymta/tinymta_3.0_amd64.deb", "b/base-tool/base-tool_0.5_amd64.deb")) {
      m.put("/apt/pool/main/" + p, dir.resolve("upstream/repo/pool/main/" + p));
    }
    m.put("/apt/pool/main/l/localtool/localtool_2.1-1_all.deb", dir.resolve("local/localtool_2.1-1_all.deb"));
    return m;
  }

  @Override
  public String mutate(Path dir, String channel) throws IOException {
    try {
      buildLocal(dir, "second");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return "/apt/pool/main/l/localtool/localtool_2.1-1_all.deb";
  }

  private static void buildLocal(Path dir, String content) throws IOException, InterruptedException {
    Path root = dir.resolve("local-build");
    Files.createDirectories(root.resolve("DEBIAN"));
    Files.createDirectories(root.resolve("usr/share/localtool"));
    Files.writeString(root.resolve("DEBIAN/control"), "Package: localtool\nVersion: 2.1-1\nArchitecture: all\nMaintainer: Fixture <fixture@example.invalid>\n"
        + "Description: a local package\n");
    Files.writeString(root.resolve("usr/share/localtool/content"), content + "\n");
    Files.createDirectories(dir.resolve("local"));
    Process p = new ProcessBuilder("dpkg-deb", "--root-owner-group", "--build", root.toString(), dir.resolve("local/localtool_2.1-1_all.deb").toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }
}
