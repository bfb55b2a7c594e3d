package dev.airgap.core.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectFileOutputStreamTest {
  @TempDir Path tmp;

  @Test
  void writesExactBytesWhateverTheLengthAndWriteSizes() throws IOException {
    for (int size : new int[] {0, 1, 511, 4096, 4097, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (3 << 20) + 12345, (11 << 20) + 4099}) {
      assertRoundTrip(tmp.resolve("f" + size), size);
    }
  }

  @Test
  void truncatesAnOlderLongerFile() throws IOException {
    Path f = tmp.resolve("reused");
    Files.write(f, new byte[3 << 20]);
    assertRoundTrip(f, 1000);
  }

  /** tmpfs refuses O_DIRECT: the stream falls back to buffered writes. */
  @Test
  void worksWhereDirectIoIsRefused() throws IOException {
    Path shm = Path.of("/dev/shm");
    Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm here");
    Path f = Files.createTempFile(shm, "airgap-test-", ".bin");
    try {
      assertRoundTrip(f, (2 << 20) + 3);
    } finally {
      Files.deleteIfExists(f);
    }
  }

  private static void assertRoundTrip(Path file, int size) throws IOException {
    byte[] data = new byte[size];
    Random random = new Random(size);
    random.nextBytes(data);
    try (DirectFileOutputStream out = DirectFileOutputStream.create(file)) {
      int off = 0;
      while (off < size) {
        if (random.nextInt(10) == 0) {
          out.write(data[off++]);
          continue;
        }
        int n = Math.min(size - off, 1 + random.nextInt(300_000));
        out.write(data, off, n);
        off += n;
      }
      out.finishAndSync();
    }
    assertEquals(size, Files.size(file), file.toString());
    assertArrayEquals(data, Files.readAllBytes(file), file.toString());
  }
}
