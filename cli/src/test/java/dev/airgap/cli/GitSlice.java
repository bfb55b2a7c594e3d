package dev.airgap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The git slice under the contract: a repository from testdata/git/make-repo.sh, exported with a
 * spec; the mirror's ref listing ({@code /git/<name>.git/info/refs}) and default branch
 * ({@code HEAD}) must equal what git itself says about the upstream. (Clones, fetches and push are
 * in {@link GitEndToEndTest}.)
 */
final class GitSlice implements Slice {
  @Override public String type() { return "git"; }
  @Override public String sbomComponentType() { return "library"; }
  @Override public String purlPrefix() { return "pkg:generic/contract@"; }

  @Override
  public List<String> exportArgs(Path dir) throws Exception {
    run(dir, "bash", Cli.repoRoot().resolve("testdata/git/make-repo.sh").toString(), dir.resolve("repo").toString());
    Path spec = dir.resolve("git-spec.yaml");
    Files.writeString(spec, "artifacts:\n  - type: git\n    url: ./repo\n    name: contract\n    refs: all\n");
    return List.of("--spec", spec.toString());
  }

  @Override
  public Map<String, Path> expectedUrls(Path dir, String channel) {
    try {
      Path expected = Files.createDirectories(dir.resolve("expected"));
      writeRefs(dir, expected.resolve("info-refs"));
      Files.writeString(expected.resolve("HEAD"), "ref: refs/heads/main\n");
      Map<String, Path> m = new LinkedHashMap<>();
      m.put("/git/contract.git/info/refs", expected.resolve("info-refs"));
      m.put("/git/contract.git/HEAD", expected.resolve("HEAD"));
      return m;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public String mutate(Path dir, String channel) throws IOException {
    run(dir, "bash", Cli.repoRoot().resolve("testdata/git/make-repo.sh").toString(), "--more", dir.resolve("repo").toString());
    writeRefs(dir, dir.resolve("expected/info-refs"));
    return "/git/contract.git/info/refs";
  }

  /** What git says the refs are: {@code <id> TAB <ref>} sorted by name, the mirror's listing format. */
  private static void writeRefs(Path dir, Path file) throws IOException {
    String refs = run(dir.resolve("repo"), "git", "for-each-ref", "--format=%(objectname)%09%(refname)", "refs/heads", "refs/tags");
    Files.writeString(file, refs);
  }

  private static String run(Path dir, String... cmd) throws IOException {
    try {
      ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(cmd))).directory(dir.toFile()).redirectErrorStream(false);
      pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), () -> String.join(" ", cmd) + ": " + err);
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
