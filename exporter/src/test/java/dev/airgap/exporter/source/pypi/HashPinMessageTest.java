package dev.airgap.exporter.source.pypi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.Digest;
import dev.airgap.core.error.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lock line whose {@code --hash} pins exclude every file of the version it pins: the resolver
 * says that the version exists and which files (name and sha256) the pins excluded, instead of
 * "no version satisfies X==V; versions for ...: V".
 */
class HashPinMessageTest {
  @TempDir static Path tmp;
  static FixtureIndex index;
  static ExecutorService io;

  @BeforeAll
  static void start() throws Exception {
    index = FixtureIndex.start(tmp.resolve("upstream"));
    io = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stop() {
    index.close();
    io.shutdownNow();
  }

  private static String failure(String python, String platform, String... lockLines) throws Exception {
    Path lock = Files.writeString(tmp.resolve("requirements.lock"), String.join("\n", lockLines) + "\n");
    List<Resolver.Constraint> roots = RequirementsFile.read(lock);
    PackageFinder finder = new PackageFinder(List.of(index.simple()), null, Files.createTempDirectory(tmp, "work"), io);
    try {
      return assertThrows(UsageException.class, () -> new Resolver(finder, TargetEnvironment.of(python, platform)).resolve(roots)).getMessage();
    } finally {
      finder.close();
    }
  }

  private static String sha256(String file) throws Exception {
    return Digest.of(Files.readAllBytes(index.root.resolve("files").resolve(file))).hex();
  }

  @Test
  void theOnlyFileExcludedByTheHashIsNamedWithItsDigest() throws Exception {
    String message = failure("3.11", "any", "gamma==1.0 --hash=sha256:" + "0".repeat(64));
    assertTrue(message.contains("gamma 1.0 exists for python 3.11 on any"), message);
    assertTrue(message.contains("--hash pins"), message);
    assertTrue(message.contains("requirements.lock:1"), message);
    assertTrue(message.contains("gamma-1.0-py3-none-any.whl (sha256 " + sha256("gamma-1.0-py3-none-any.whl") + ")"), message);
    assertFalse(message.contains("no version of gamma satisfies gamma==1.0 (required by " + tmp.resolve("requirements.lock") + ":1); versions for"), message);
  }

  @Test
  void everyFileForTheTargetThatThePinsExcludeIsNamed() throws Exception {
    // the pin names the Windows wheel only: on Linux the Linux wheel and the sdist are what it excluded
    String message = failure("3.11", "manylinux_2_28_x86_64", "native==1.0 --hash=sha256:" + sha256("native-1.0-cp311-cp311-win_amd64.whl"));
    assertTrue(message.contains("native 1.0 exists for python 3.11 on manylinux_2_28_x86_64"), message);
    String linux = "native-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
    assertTrue(message.contains(linux + " (sha256 " + sha256(linux) + ")"), message);
    assertTrue(message.contains("native-1.0.tar.gz (sha256 " + sha256("native-1.0.tar.gz") + ")"), message);
    assertFalse(message.contains("win_amd64.whl (sha256"), message);
  }

  @Test
  void aVersionThatDoesNotExistStillSaysWhichDo() throws Exception {
    String message = failure("3.11", "any", "gamma==9.9 --hash=sha256:" + "0".repeat(64));
    assertTrue(message.contains("no version of gamma satisfies gamma==9.9"), message);
    assertTrue(message.contains("versions for python 3.11 on any: 1.0"), message);
    assertFalse(message.contains("exists"), message);
  }

  @Test
  void aChosenVersionWhoseFileALaterPinExcludesSaysSo() throws Exception {
    // gamma 1.0 is chosen for the first line; the second pins it to a hash of no file
    String message = failure("3.11", "any", "gamma", "gamma==1.0 --hash=sha256:" + "1".repeat(64));
    assertTrue(message.contains("gamma-1.0-py3-none-any.whl (sha256 " + sha256("gamma-1.0-py3-none-any.whl") + ")"), message);
    assertTrue(message.contains("--hash pins"), message);
  }
}
