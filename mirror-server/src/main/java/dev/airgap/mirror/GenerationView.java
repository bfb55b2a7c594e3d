package dev.airgap.mirror;

import dev.airgap.core.Digest;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.mirror.GenerationInfo;
import dev.airgap.core.mirror.MirrorLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One published generation, as a single request sees it: its directory (resolved once from
 * {@code current}), the store its indexes point into, and a memo of whatever has been parsed from
 * it. Generations are immutable once published, so anything derived from one may be cached for as
 * long as the view lives; the server keeps views of the last few generations.
 */
public final class GenerationView {
  private final MirrorLayout layout;
  private final Path directory;
  private final long number;
  private final ConcurrentHashMap<String, Object> memo = new ConcurrentHashMap<>();

  GenerationView(MirrorLayout layout, Path directory, long number) {
    this.layout = layout;
    this.directory = directory;
    this.number = number;
  }

  /** The generation directory ({@code MIRROR/generations/NNNNNNNNNN}). */
  public Path directory() {
    return directory;
  }

  public long number() {
    return number;
  }

  /** {@code generation.json}, parsed once. */
  public GenerationInfo info() {
    return memo("generation.json", v -> GenerationInfo.read(v.directory()));
  }

  /**
   * The value for {@code key} in this generation, computed by {@code loader} on first use (e.g. a
   * parsed index: {@code gen.memo("files/index.json", v -> FilesIndex.read(v.directory()))}). A
   * loader that throws caches nothing. Keys are shared by all routes: prefix them with the route.
   */
  @SuppressWarnings("unchecked")
  public <T> T memo(String key, Function<GenerationView, T> loader) {
    Object value = memo.get(key);
    if (value == null) {
      value = loader.apply(this);
      Object raced = memo.putIfAbsent(key, value);
      if (raced != null) value = raced;
    }
    return (T) value;
  }

  /**
   * Opens the store blob {@code digest} (a digest taken from this generation's index, never from
   * request text). Empty when the blob is missing; an {@link IntegrityException} when its size is
   * not the indexed one.
   */
  public Optional<Resource> openBlob(Digest digest, long expectedSize, String mediaType) throws IOException {
    Optional<FileChannel> channel = openRegularFile(layout.blob(digest));
    if (channel.isEmpty()) return Optional.empty();
    FileChannel ch = channel.get();
    try {
      long size = ch.size();
      if (size != expectedSize) {
        throw IntegrityException.malformed("store blob " + digest, "size " + size + " differs from the indexed size " + expectedSize);
      }
      return Optional.of(Resource.ofFile(ch, size, mediaType, digest));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /**
   * Opens a file of this generation given its path relative to the generation directory, built
   * by the caller from whitelisted names only. The SHA-256 is computed on first use and memoised.
   */
  public Optional<Resource> openGenerationFile(String relativePath, String mediaType) throws IOException {
    Path file = directory.resolve(relativePath);
    if (!file.normalize().startsWith(directory)) return Optional.empty();
    Optional<FileChannel> channel = openRegularFile(file);
    if (channel.isEmpty()) return Optional.empty();
    FileChannel ch = channel.get();
    try {
      Digest digest = memo("sha256:" + relativePath, v -> sha256(ch));
      return Optional.of(Resource.ofFile(ch, ch.size(), mediaType, digest));
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Opens a regular file without following a symbolic link at its last component; empty when absent. */
  static Optional<FileChannel> openRegularFile(Path file) throws IOException {
    try {
      BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attrs.isRegularFile()) return Optional.empty();
      return Optional.of(FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (FileSystemException e) {
      // ELOOP (a symlink appeared), ENOTDIR (a parent is a file), and the like: not servable.
      return Optional.empty();
    }
  }

  private static Digest sha256(FileChannel ch) {
    try (InputStream in = Channels.newInputStream(new PositionalReader(ch))) {
      return dev.airgap.core.HashingCopy.hash(in).digest();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Reads a channel from 0 without moving its position, and without closing it. */
  private static final class PositionalReader implements java.nio.channels.ReadableByteChannel {
    private final FileChannel ch;
    private long position;

    PositionalReader(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public int read(java.nio.ByteBuffer dst) throws IOException {
      int n = ch.read(dst, position);
      if (n > 0) position += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return ch.isOpen();
    }

    @Override
    public void close() {}
  }

  @Override
  public String toString() {
    return "generation " + MirrorLayout.generationName(number);
  }
}
