package dev.airgap.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlappedFileWriterTest {
  @TempDir Path tmp;

  /** Sizes around the direct-I/O threshold and block boundaries; the tail must be truncated exactly. */
  @Test
  void copiesLargeFilesExactlyWhateverTheirSize() throws IOException {
    for (int size : new int[] {4 << 20, (4 << 20) + 1, (5 << 20) - 1, (6 << 20) + 4095, 3 << 20}) {
      byte[] data = random(size);
      Path target = tmp.resolve("blob-" + size);
      OverlappedFileWriter.copy(new ByteArrayInputStream(data), target);
      assertEquals(size, Files.size(target), "size " + size);
      assertArrayEquals(data, Files.readAllBytes(target), "content " + size);
    }
  }

  /** tmpfs refuses O_DIRECT: the writer must fall back to buffered writes, not fail. */
  @Test
  void fallsBackWhereTheFileSystemRefusesDirectIo() throws IOException {
    Path shm = Path.of("/dev/shm");
    Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm here");
    Path dir = Files.createTempDirectory(shm, "airgap-test-");
    try {
      byte[] data = random((5 << 20) + 17);
      Path target = dir.resolve("blob");
      OverlappedFileWriter.copy(new ByteArrayInputStream(data), target);
      assertArrayEquals(data, Files.readAllBytes(target));
    } finally {
      try (var s = Files.list(dir)) {
        for (Path p : s.toList()) Files.delete(p);
      }
      Files.delete(dir);
    }
  }

  @Test
  void neverOverwritesAnExistingFile() throws IOException {
    Path target = Files.writeString(tmp.resolve("existing"), "keep");
    byte[] data = random(5 << 20);
    assertThrows(java.nio.file.FileAlreadyExistsException.class,
        () -> OverlappedFileWriter.copy(new ByteArrayInputStream(data), target));
    assertEquals("keep", Files.readString(target));
  }

  private static byte[] random(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }
}
