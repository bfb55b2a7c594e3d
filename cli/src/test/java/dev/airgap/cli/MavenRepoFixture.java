package dev.airgap.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Writes small maven2-layout repositories for tests: POMs, jars and their upstream checksum files. */
final class MavenRepoFixture {
  private MavenRepoFixture() {}

  /** The directory of {@code g:a:v} in a maven2 repository. */
  static Path dir(Path repo, String groupId, String artifactId, String version) {
    return repo.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version);
  }

  /**
   * Publishes {@code g:a:v} (jar packaging) depending on {@code dependencies} ("g:a:v" each), with
   * {@code .sha1} and {@code .sha256} files next to the POM and the jar.
   */
  static void publish(Path repo, String groupId, String artifactId, String version, byte[] jar, List<String> dependencies) throws IOException {
    StringBuilder deps = new StringBuilder();
    for (String d : dependencies) {
      String[] gav = d.split(":");
      deps.append("    <dependency><groupId>").append(gav[0]).append("</groupId><artifactId>").append(gav[1])
          .append("</artifactId><version>").append(gav[2]).append("</version></dependency>\n");
    }
    String pom = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
        + "  <modelVersion>4.0.0</modelVersion>\n  <groupId>" + groupId + "</groupId>\n  <artifactId>" + artifactId + "</artifactId>\n"
        + "  <version>" + version + "</version>\n"
        + "  <licenses><license><name>Apache-2.0</name></license></licenses>\n"
        + "  <dependencies>\n" + deps + "  </dependencies>\n</project>\n";
    Path dir = Files.createDirectories(dir(repo, groupId, artifactId, version));
    writeWithChecksums(dir.resolve(artifactId + "-" + version + ".pom"), pom.getBytes(StandardCharsets.UTF_8));
    writeWithChecksums(dir.resolve(artifactId + "-" + version + ".jar"), jar);
  }

  static void writeWithChecksums(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes);
    Files.writeString(file.resolveSibling(file.getFileName() + ".sha1"), hex("SHA-1", bytes));
    Files.writeString(file.resolveSibling(file.getFileName() + ".sha256"), hex("SHA-256", bytes) + "  " + file.getFileName() + "\n");
  }

  static String hex(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** A spec exporting {@code artifacts} from the file:// repository {@code repo}. */
  static Path spec(Path file, Path repo, List<String> artifacts) throws IOException {
    StringBuilder b = new StringBuilder("artifacts:\n  - type: maven\n    repositories:\n      - id: upstream\n        url: ")
        .append(repo.toUri()).append("\n    artifacts:\n");
    for (String a : artifacts) b.append("      - ").append(a).append('\n');
    Files.writeString(file, b.toString());
    return file;
  }
}
