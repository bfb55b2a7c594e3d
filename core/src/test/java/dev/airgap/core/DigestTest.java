package dev.airgap.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.airgap.core.error.IntegrityException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
  private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void knownAnswer() {
    assertEquals("sha256:" + ABC, Digest.of("abc".getBytes(StandardCharsets.US_ASCII)).toString());
    assertEquals(ABC, Digest.parse("sha256:" + ABC).hex());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "sha256:", "sha1:" + ABC, "SHA256:" + ABC, "sha256:" + "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", "sha256:" + ABC + "0", "sha256:zz00000000000000000000000000000000000000000000000000000000000000"})
  void rejectsMalformed(String text) {
    IntegrityException e = assertThrows(IntegrityException.class, () -> Digest.parse(text));
    assertEquals(3, e.exitCode());
  }

  @Test
  void hashingCopyHashesWhatItCopies() throws Exception {
    byte[] data = new byte[HashingCopy.BUFFER_SIZE * 3 + 17];
    for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    HashingCopy.Result r = HashingCopy.copy(new ByteArrayInputStream(data), out);
    assertEquals(data.length, r.size());
    assertEquals(Digest.of(data), r.digest());
    assertEquals(Digest.of(out.toByteArray()), r.digest());
  }
}
