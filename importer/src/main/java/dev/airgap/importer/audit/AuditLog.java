package dev.airgap.importer.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * The mirror's append-only audit log: one JSON record per line, each carrying the SHA-256 of the
 * previous line, so removing or editing a record breaks the chain ({@link #verify}). Appends are
 * made under the import lock and fsynced.
 */
public final class AuditLog {
  /** The {@code prev} of the first record. */
  public static final String GENESIS = "sha256:" + "0".repeat(64);

  private static final ObjectMapper LINE = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      // Every record carries every field (null when unknown), so strict parsing can read them all.
      .serializationInclusion(JsonInclude.Include.ALWAYS)
      .build();

  /** One audit record. {@code outcome} is accepted, rejected or unchanged. */
  @JsonPropertyOrder({"seq", "prev", "time", "event", "outcome", "exitCode", "message", "bundle", "bundleId", "channel", "sequence",
      "manifestSha256", "generation", "signers", "scanner"})
  public record Record(
      long seq, String prev, Instant time, String event, String outcome, int exitCode, String message,
      String bundle, String bundleId, String channel, Long sequence, String manifestSha256, Long generation,
      List<String> signers, String scanner) {}

  /** What an import reports about itself; the log adds seq, prev and time. */
  public record Entry(
      String outcome, int exitCode, String message, String bundle, String bundleId, String channel, Long sequence,
      String manifestSha256, Long generation, List<String> signers, String scanner) {}

  private final Path file;

  public AuditLog(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** Appends one import record, chained to the last line, and fsyncs it. */
  public Record append(Entry e, Instant now) {
    try {
      Files.createDirectories(file.getParent());
      Tail tail = tail();
      Record r = new Record(tail.count + 1, tail.lastHash, now, "import", e.outcome(), e.exitCode(), e.message(), e.bundle(), e.bundleId(),
          e.channel(), e.sequence(), e.manifestSha256(), e.generation(), e.signers(), e.scanner());
      byte[] line = (LINE.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) ch.write(buf);
        ch.force(true);
      }
      return r;
    } catch (IOException ex) {
      throw EnvironmentException.io(file, ex);
    }
  }

  /** The highest generation an {@code accepted} record names, or 0. */
  public long lastPublishedGeneration() {
    long last = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        com.fasterxml.jackson.databind.JsonNode n;
        try {
          n = LINE.readTree(line);
        } catch (IOException e) {
          continue; // verify() reports malformed lines; recovery only needs the good ones
        }
        if ("accepted".equals(n.path("outcome").asText()) && n.path("generation").canConvertToLong()) {
          last = Math.max(last, n.path("generation").asLong());
        }
      }
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
    return last;
  }

  /** Checks every link of the chain; returns the number of records. */
  public long verify() {
    return tailChecked(true).count;
  }

  private Tail tail() {
    return tailChecked(false);
  }

  private record Tail(long count, String lastHash) {}

  private Tail tailChecked(boolean strict) {
    long count = 0;
    String prevHash = GENESIS;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        count++;
        if (strict) {
          Record rec;
          try {
            rec = Json.strict().readValue(line, Record.class);
          } catch (IOException ex) {
            throw IntegrityException.malformed(file + ":" + count, "not a valid audit record");
          }
          if (rec.seq() != count) throw IntegrityException.malformed(file + ":" + count, "record number " + rec.seq() + " where " + count + " was expected (records removed or reordered)");
          if (!prevHash.equals(rec.prev())) throw IntegrityException.malformed(file + ":" + count, "chain broken: prev is " + rec.prev() + " but the previous record hashes to " + prevHash);
        }
        prevHash = Digest.of(line.getBytes(StandardCharsets.UTF_8)).toString();
      }
    } catch (NoSuchFileException e) {
      return new Tail(0, GENESIS);
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
    return new Tail(count, prevHash);
  }
}
