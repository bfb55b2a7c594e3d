package dev.airgap.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OverlappedDigestTest {
  /** Sizes around the inline/overlapped threshold and chunk boundaries, fed in uneven pieces. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, OverlappedDigest.CHUNK - 1, 2 * OverlappedDigest.CHUNK - 1, 2 * OverlappedDigest.CHUNK, 2 * OverlappedDigest.CHUNK + 1, 9 * OverlappedDigest.CHUNK + 12345})
  void sameDigestAsOneShot(int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    OverlappedDigest d = new OverlappedDigest(size);
    Random pieces = new Random(7);
    int off = 0;
    while (off < size) {
      int n = Math.min(size - off, 1 + pieces.nextInt(300_000));
      d.update(data, off, n);
      off += n;
    }
    assertEquals(Digest.of(data), d.digest());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 10, 1L << 30})
  void expectedSizeIsOnlyAHint(long expected) {
    byte[] data = new byte[3 * OverlappedDigest.CHUNK + 5];
    new Random(1).nextBytes(data);
    OverlappedDigest d = new OverlappedDigest(expected);
    d.update(data, 0, data.length);
    assertEquals(Digest.of(data), d.digest());
  }
}
