package dev.airgap.exporter.source;

import dev.airgap.core.HashingCopy;
import dev.airgap.core.LogicalPath;
import dev.airgap.core.bundle.BlobSource;
import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.manifest.ArtifactFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Lists the regular files under a file or directory (following symlinks, as a Hugging Face cache
 * snapshot is made of them), gives each a logical path under a prefix, and hashes them on the
 * shared pool: the one place export reads a file to learn its digest.
 */
public final class FileTree {
  /** A hashed file: where it is on disk and what the manifest says about it. */
  public record HashedFile(Path source, ArtifactFile file) {
    public BlobSource blobSource() {
      return BlobSource.ofFile(source, file.sha256(), file.size());
    }
  }

  private FileTree() {}

  /** Regular files under {@code root}, sorted by logical path, each as {@code prefix/relative}. */
  public static List<HashedFile> hash(Path root, String prefix, ExportContext context) {
    List<Path> files = list(root);
    List<Future<HashedFile>> futures = new ArrayList<>(files.size());
    for (Path f : files) {
      String relative = Files.isDirectory(root) ? root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/") : f.getFileName().toString();
      String logical = prefix == null || prefix.isEmpty() ? relative : prefix + "/" + relative;
      LogicalPath path = LogicalPath.parse(f.toString(), logical);
      futures.add(context.hashPool().submit(() -> hashOne(f, path)));
    }
    List<HashedFile> out = new ArrayList<>(files.size());
    for (Future<HashedFile> future : futures) {
      try {
        out.add(future.get());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof AirgapException ae) throw ae;
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EnvironmentException("interrupted while hashing " + root);
      }
    }
    out.sort((a, b) -> a.file().path().value().compareTo(b.file().path().value()));
    return out;
  }

  private static HashedFile hashOne(Path file, LogicalPath path) {
    try (InputStream in = Files.newInputStream(file)) {
      HashingCopy.Result r = HashingCopy.hash(in, Files.size(file));
      return new HashedFile(file, new ArtifactFile(path, r.size(), r.digest(), MediaTypes.forName(file.getFileName().toString())));
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
  }

  private static List<Path> list(Path root) {
    if (!Files.exists(root)) throw new UsageException(root + ": no such file or directory");
    if (Files.isRegularFile(root)) return List.of(root);
    if (!Files.isDirectory(root)) throw new UsageException(root + ": not a regular file or directory");
    try (Stream<Path> walk = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
      List<Path> files = new ArrayList<>();
      walk.forEach(p -> {
        if (Files.isRegularFile(p)) {
          files.add(p);
        } else if (!Files.isDirectory(p)) {
          throw new UsageException(p + ": not a regular file (devices, sockets and dangling links are not exported)");
        }
      });
      files.sort(null);
      return files;
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof NoSuchFileException) throw new UsageException(e.getCause().getMessage() + ": dangling link or vanished file");
      throw EnvironmentException.io(root, e.getCause());
    } catch (IOException e) {
      throw EnvironmentException.io(root, e);
    }
  }
}
