package dev.airgap.core.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Direct reads return exactly the file's bytes, whatever its length and however they are read. */
class DirectFileInputStreamTest {
  private static final int CHUNK = 4 << 20;

  @TempDir Path tmp;

  private byte[] file(int size) throws IOException {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    Files.write(tmp.resolve("f"), data);
    return data;
  }

  private DirectFileInputStream open() throws IOException {
    DirectFileInputStream in = DirectFileInputStream.openOrNull(tmp.resolve("f"));
    // tmpfs and some network file systems refuse O_DIRECT; BundleReader then reads buffered.
    assumeTrue(in != null, "this file system does not support O_DIRECT");
    return in;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 511, 4095, 4096, 4097, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 12345})
  void bulkReadsReturnEveryByte(int size) throws IOException {
    byte[] data = file(size);
    try (InputStream in = open()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(size);
      byte[] buf = new byte[100_000]; // not a divisor of the chunk size
      int n;
      while ((n = in.read(buf, 0, buf.length)) >= 0) out.write(buf, 0, n);
      assertArrayEquals(data, out.toByteArray());
      assertEquals(-1, in.read());
    }
  }

  @Test
  void singleBytesSkipsAndTarSizedReadsInterleave() throws IOException {
    byte[] data = file(2 * CHUNK + 777);
    try (InputStream in = open()) {
      int pos = 0;
      Random r = new Random(7);
      while (pos < data.length) {
        switch (r.nextInt(3)) {
          case 0 -> {
            assertEquals(data[pos] & 0xff, in.read(), "byte " + pos);
            pos++;
          }
          case 1 -> {
            long skipped = in.skip(r.nextInt(300_000));
            pos += (int) skipped;
          }
          default -> {
            byte[] block = new byte[512];
            int n = in.read(block, 0, block.length);
            for (int i = 0; i < n; i++) assertEquals(data[pos + i], block[i], "byte " + (pos + i));
            pos += n;
          }
        }
      }
      assertEquals(data.length, pos);
      assertEquals(-1, in.read());
      assertEquals(0, in.skip(10));
    }
  }

  @Test
  void closingBeforeTheEndStopsTheReadAheadThread() throws IOException {
    file(3 * CHUNK);
    DirectFileInputStream in = open();
    assertEquals(100, in.read(new byte[100], 0, 100));
    in.close();
    assertEquals(0, Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("airgap-bundle-reader") && t.isAlive()).count());
  }
}
