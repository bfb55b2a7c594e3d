package dev.airgap.importer.publish.apt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

class RepositoryWriterTest {
  @Test
  void xzDictionaryFitsTheInputButNeverExceedsThePresetOrGoesBelow64KiB() throws Exception {
    int presetDict = new LZMA2Options(1).getDictSize();
    assertEquals(64 << 10, RepositoryWriter.xzOptions(0).getDictSize());
    assertEquals(64 << 10, RepositoryWriter.xzOptions(1000).getDictSize());
    assertEquals(512 << 10, RepositoryWriter.xzOptions(393_925).getDictSize());
    assertEquals(512 << 10, RepositoryWriter.xzOptions(512 << 10).getDictSize());
    assertEquals(presetDict, RepositoryWriter.xzOptions(50_000_000).getDictSize());
    for (int n : new int[] {1, 65_537, 300_000, 700_000}) {
      int dict = RepositoryWriter.xzOptions(n).getDictSize();
      assertTrue(dict >= Math.min(n, presetDict), n + " -> " + dict);
    }
  }

  @Test
  void aPackagesFileRoundTripsThroughTheTrimmedDictionary() throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 3000; i++) text.append("Package: p").append(i).append("\nVersion: 1.0-").append(i).append("\nArchitecture: amd64\n\n");
    byte[] plain = text.toString().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(out, RepositoryWriter.xzOptions(plain.length))) {
      xz.write(plain);
    }
    try (XZInputStream in = new XZInputStream(new ByteArrayInputStream(out.toByteArray()))) {
      assertArrayEquals(plain, in.readAllBytes());
    }
  }
}
