package dev.airgap.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmallFileWriterTest {
  @TempDir Path tmp;

  @Test
  void writesEveryFileExactlyAndRunsItsActionOnlyOnceTheFileIsComplete() throws IOException {
    Random random = new Random(7);
    List<byte[]> contents = new ArrayList<>();
    Map<Integer, Long> sizeSeenByAction = new ConcurrentHashMap<>();
    try (SmallFileWriter writer = new SmallFileWriter()) {
      // sizes up to the limit, more bytes in total than the in-memory budget (16 MiB)
      for (int i = 0; i < 40; i++) {
        int size = i == 0 ? 0 : i % 5 == 0 ? SmallFileWriter.MAX_FILE_BYTES : random.nextInt(100_000);
        byte[] data = new byte[size];
        random.nextBytes(data);
        contents.add(data);
        Path target = tmp.resolve("f" + i);
        int index = i;
        writer.write(new ByteArrayInputStream(data), target, size, () -> {
          try {
            sizeSeenByAction.put(index, Files.size(target));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
      }
      writer.finish();
    }
    for (int i = 0; i < contents.size(); i++) {
      assertArrayEquals(contents.get(i), Files.readAllBytes(tmp.resolve("f" + i)), "f" + i);
      assertEquals((long) contents.get(i).length, sizeSeenByAction.get(i), "size when the action ran, f" + i);
    }
  }

  @Test
  void aFailedWriteIsRethrownAndLaterFilesAreNotWritten() throws IOException {
    try (SmallFileWriter writer = new SmallFileWriter()) {
      writer.write(new ByteArrayInputStream(new byte[10]), tmp.resolve("missing-dir/a"), 10, null);
      IOException failure = assertThrows(IOException.class, () -> {
        for (int i = 0; i < 1000; i++) writer.write(new ByteArrayInputStream(new byte[10]), tmp.resolve("b" + i), 10, null);
        writer.finish();
      });
      assertTrue(failure instanceof NoSuchFileException, failure::toString);
      assertTrue(failure.getMessage().contains("missing-dir"), failure::getMessage);
    }
    try (var files = Files.list(tmp)) {
      assertTrue(files.count() < 1000, "writes after the failure were drained, not performed");
    }
  }

  @Test
  void refusesFilesAboveTheLimit() {
    try (SmallFileWriter writer = new SmallFileWriter()) {
      assertThrows(IllegalArgumentException.class,
          () -> writer.write(new ByteArrayInputStream(new byte[0]), tmp.resolve("x"), SmallFileWriter.MAX_FILE_BYTES + 1, null));
    }
  }
}
