package dev.airgap.exporter.source.pypi;

import dev.airgap.core.HashingCopy;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A local directory of wheels and sdists, the lowest-priority source. Its files are trusted as
 * they are: each is hashed when its project is first asked for, and that hash is what the bundle
 * records (and the bundle writer checks again while copying).
 */
final class Wheelhouse {
  private final Path dir;
  private final Map<String, List<Path>> byProject = new TreeMap<>();

  Wheelhouse(Path dir) {
    this.dir = dir;
    if (!Files.isDirectory(dir)) throw new UsageException("wheelhouse " + dir + " is not a directory");
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        DistFilename n = DistFilename.parse(p.getFileName().toString());
        if (n != null && Files.isRegularFile(p)) byProject.computeIfAbsent(n.project(), k -> new ArrayList<>()).add(p);
      }
    } catch (IOException e) {
      throw EnvironmentException.io(dir, e);
    }
  }

  Optional<PackageFinder.Project> project(String name) {
    List<Path> paths = byProject.get(name);
    if (paths == null) return Optional.empty();
    List<RemoteFile> files = new ArrayList<>();
    for (Path p : paths) {
      try (InputStream in = Files.newInputStream(p)) {
        HashingCopy.Result r = HashingCopy.hash(in, Files.size(p));
        files.add(new RemoteFile(DistFilename.parse(p.getFileName().toString()), p.toUri(), r.digest(), null, false, null, null, p, "wheelhouse " + dir));
      } catch (IOException e) {
        throw EnvironmentException.io(p, e);
      }
    }
    return Optional.of(new PackageFinder.Project(name, "wheelhouse " + dir, files));
  }
}
