package dev.airgap.exporter.source.pypi;

import dev.airgap.core.Digest;
import dev.airgap.core.HashingCopy;
import dev.airgap.core.error.AirgapException;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.mirror.pypi.PypiNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Finds projects in the configured indexes (priority order: the first index that knows a project
 * supplies all of its files, so a later index can never shadow it) and a wheelhouse, and fetches
 * pages, metadata and files once each, verifying every download against the index's SHA-256 while
 * it is written. Work may be started ahead on the I/O pool ({@link #prefetchProject}); whoever asks
 * first does the work and the others wait for it.
 */
final class PackageFinder {
  static final String ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1";
  private static final int MAX_PAGE_BYTES = 64 << 20;
  private static final int MAX_METADATA_BYTES = 16 << 20;

  /** A project as one source lists it. */
  record Project(String name, String origin, List<RemoteFile> files) {}

  /**
   * A verified file: downloaded into the export's work directory ({@code inWorkDir}), or a local
   * file of a {@code file://} index or wheelhouse, which is never deleted.
   */
  record LocalFile(Path path, long size, Digest sha256, boolean inWorkDir) {}

  private final List<URI> indexes;
  private final Wheelhouse wheelhouse;
  private final Path workDir;
  private final ExecutorService io;
  private final Map<String, CompletableFuture<Optional<Project>>> projects = new ConcurrentHashMap<>();
  private final Map<URI, CompletableFuture<LocalFile>> files = new ConcurrentHashMap<>();
  private final Map<URI, CompletableFuture<Metadata>> metadata = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** Parsed metadata and, for a wheel, the exact metadata file to serve as {@code .metadata}. */
  record Metadata(CoreMetadata fields, LocalFile file) {}

  PackageFinder(List<URI> indexes, Wheelhouse wheelhouse, Path workDir, ExecutorService io) {
    this.indexes = List.copyOf(indexes);
    this.wheelhouse = wheelhouse;
    this.workDir = workDir;
    this.io = io;
  }

  /** Makes downloads still running fail at their next read (the export no longer needs them). */
  void close() {
    closed = true;
  }

  Optional<Project> project(String name) {
    return memo(projects, name, () -> findProject(name));
  }

  void prefetchProject(String name) {
    prefetch(projects, name, () -> findProject(name));
  }

  LocalFile file(RemoteFile f) {
    return memo(files, f.url(), () -> fetchFile(f));
  }

  void prefetchFile(RemoteFile f) {
    prefetch(files, f.url(), () -> fetchFile(f));
  }

  /** Metadata for resolution: the PEP 658 file when offered, else read from the downloaded distribution. */
  Metadata metadata(RemoteFile f) {
    return memo(metadata, f.url(), () -> fetchMetadata(f));
  }

  void prefetchMetadata(RemoteFile f) {
    prefetch(metadata, f.url(), () -> fetchMetadata(f));
  }

  /** Runs work on the I/O pool; its failures are ignored (the resolver meets them again when it asks). */
  void background(Runnable work) {
    try {
      io.execute(() -> {
        try {
          work.run();
        } catch (RuntimeException e) {
          // reported when asked for in the foreground
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down
    }
  }

  private Optional<Project> findProject(String name) {
    for (URI index : indexes) {
      Optional<Project> p = fetchProject(index, name);
      if (p.isPresent()) return p;
    }
    if (wheelhouse != null) return wheelhouse.project(name);
    return Optional.empty();
  }

  /**
   * The index as the manifest records it and the summary prints it: without {@code user:token@},
   * which must never reach a bundle or a terminal.
   */
  static String origin(URI index) {
    if (index.getRawUserInfo() == null) return index.toString();
    try {
      return new URI(index.getScheme(), null, index.getHost(), index.getPort(), index.getPath(), index.getQuery(), index.getFragment()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("a parsed URI without its user info does not parse: " + index.getHost(), e);
    }
  }

  private Optional<Project> fetchProject(URI index, String name) {
    URI page = index.resolve(name + "/");
    if ("file".equalsIgnoreCase(page.getScheme())) {
      Path dir = Path.of(page);
      Path html = dir.resolve("index.html");
      try {
        byte[] body = Files.readAllBytes(html);
        return Optional.of(new Project(name, origin(index), SimplePageParser.parseHtml(name, new String(body, StandardCharsets.UTF_8), page, origin(index))));
      } catch (NoSuchFileException e) {
        return Optional.empty();
      } catch (IOException e) {
        throw EnvironmentException.io(html, e);
      }
    }
    try (HttpGet r = HttpGet.open(page, ACCEPT)) {
      if (r.status() == 404 || r.status() == 410) return Optional.empty();
      if (r.status() != 200) throw new EnvironmentException(page + ": HTTP " + r.status());
      byte[] body = r.body().readNBytes(MAX_PAGE_BYTES + 1);
      if (body.length > MAX_PAGE_BYTES) throw IntegrityException.malformed(page.toString(), "project page over " + MAX_PAGE_BYTES + " bytes");
      String type = r.contentType() == null ? "text/html" : r.contentType();
      return Optional.of(new Project(name, origin(index), SimplePageParser.parse(name, body, type, r.uri(), origin(index))));
    } catch (IOException e) {
      throw EnvironmentException.io(page, e);
    }
  }

  private LocalFile fetchFile(RemoteFile f) {
    Path local = f.localFile() != null ? f.localFile() : "file".equalsIgnoreCase(f.url().getScheme()) ? Path.of(f.url()) : null;
    if (local != null) {
      // local files are hashed in place; the bundle writer hashes them again as it copies them
      try (InputStream in = Files.newInputStream(local)) {
        HashingCopy.Result r = HashingCopy.hash(in, Files.size(local));
        check(f.url().toString(), f.sha256(), r.digest());
        return new LocalFile(local, r.size(), r.digest(), false);
      } catch (IOException e) {
        throw EnvironmentException.io(local, e);
      }
    }
    Path target = workDir.resolve(f.sha256().hex()).resolve(f.filename());
    return new LocalFile(target, download(f.url(), target, f.sha256(), Long.MAX_VALUE), f.sha256(), true);
  }

  /** Streams {@code url} into a temp file beside {@code target} while hashing, checks the hash, then renames. */
  private long download(URI url, Path target, Digest expected, long limit) {
    try {
      Files.createDirectories(target.getParent());
      Path temp = Files.createTempFile(target.getParent(), ".part-", "");
      try {
        HashingCopy.Result r;
        if ("file".equalsIgnoreCase(url.getScheme())) {
          try (InputStream in = Files.newInputStream(Path.of(url)); OutputStream out = Files.newOutputStream(temp)) {
            r = HashingCopy.copy(unlessClosed(in, url), limited(out, limit, url));
          }
        } else {
          try (HttpGet resp = HttpGet.open(url, null)) {
            if (resp.status() != 200) throw new EnvironmentException(url + ": HTTP " + resp.status());
            try (OutputStream out = Files.newOutputStream(temp)) {
              r = HashingCopy.copy(unlessClosed(resp.body(), url), limited(out, limit, url), resp.contentLength());
            }
          }
        }
        if (expected != null) check(url.toString(), expected, r.digest());
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return r.size();
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (NoSuchFileException e) {
      throw new EnvironmentException(url + ": no such file");
    } catch (IOException e) {
      throw EnvironmentException.io(url, e);
    }
  }

  private InputStream unlessClosed(InputStream in, URI url) {
    return new java.io.FilterInputStream(in) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException(url + ": download abandoned, the export no longer needs it");
        return in.read(b, off, len);
      }
    };
  }

  private static OutputStream limited(OutputStream out, long limit, URI url) {
    if (limit == Long.MAX_VALUE) return out;
    return new java.io.FilterOutputStream(out) {
      long written;

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        written += len;
        if (written > limit) throw new IOException(url + ": longer than " + limit + " bytes");
        out.write(b, off, len);
      }
    };
  }

  private static void check(String where, Digest expected, Digest actual) {
    if (!expected.equals(actual)) throw IntegrityException.mismatch(where + " (the index's sha256)", expected, actual);
  }

  private Metadata fetchMetadata(RemoteFile f) {
    if (f.metadataOffered() && f.name().wheel()) {
      URI url = URI.create(f.url() + ".metadata");
      Path target = workDir.resolve("metadata").resolve(f.sha256().hex()).resolve(f.filename() + ".metadata");
      long size = download(url, target, f.metadataSha256(), MAX_METADATA_BYTES);
      try {
        byte[] bytes = Files.readAllBytes(target);
        return new Metadata(checked(f, CoreMetadata.parse(bytes)), new LocalFile(target, size, Digest.of(bytes), true));
      } catch (IOException e) {
        throw EnvironmentException.io(target, e);
      }
    }
    return metadataFromDistribution(f);
  }

  /**
   * Reads the metadata inside the distribution itself: {@code *.dist-info/METADATA} of a wheel
   * (written out to serve as {@code .metadata}), or {@code PKG-INFO} of an sdist.
   */
  Metadata metadataFromDistribution(RemoteFile f) {
    LocalFile dist = file(f);
    byte[] bytes = f.name().wheel() ? wheelMetadata(f, dist.path()) : sdistMetadata(f, dist.path());
    CoreMetadata fields = checked(f, CoreMetadata.parse(bytes));
    if (!f.name().wheel()) return new Metadata(fields, null);
    Path target = workDir.resolve("metadata-from-wheel").resolve(f.sha256().hex()).resolve(f.filename() + ".metadata");
    try {
      Files.createDirectories(target.getParent());
      Files.write(target, bytes);
    } catch (IOException e) {
      throw EnvironmentException.io(target, e);
    }
    return new Metadata(fields, new LocalFile(target, bytes.length, Digest.of(bytes), true));
  }

  private static byte[] wheelMetadata(RemoteFile f, Path wheel) {
    try (ZipFile zip = new ZipFile(wheel.toFile())) {
      ZipEntry found = null;
      var entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        String n = e.getName();
        int slash = n.indexOf('/');
        if (slash < 0 || !n.substring(slash).equals("/METADATA")) continue;
        String dir = n.substring(0, slash);
        if (!dir.endsWith(".dist-info")) continue;
        String distName = dir.substring(0, dir.length() - ".dist-info".length());
        int dash = distName.lastIndexOf('-');
        if (dash > 0 && PypiNames.normalize(distName.substring(0, dash)).equals(f.name().project())) {
          found = e;
          break;
        }
      }
      if (found == null) throw IntegrityException.malformed(f.filename(), "wheel has no " + f.name().project() + "-*.dist-info/METADATA");
      if (found.getSize() > MAX_METADATA_BYTES) throw IntegrityException.malformed(f.filename(), "METADATA over " + MAX_METADATA_BYTES + " bytes");
      try (InputStream in = zip.getInputStream(found)) {
        byte[] bytes = in.readNBytes(MAX_METADATA_BYTES + 1);
        if (bytes.length > MAX_METADATA_BYTES) throw IntegrityException.malformed(f.filename(), "METADATA over " + MAX_METADATA_BYTES + " bytes");
        return bytes;
      }
    } catch (IOException e) {
      throw IntegrityException.malformed(f.filename(), "not a readable wheel (zip): " + e.getMessage(), e);
    }
  }

  private static byte[] sdistMetadata(RemoteFile f, Path sdist) {
    try {
      if (f.name().isTarGz()) {
        try (InputStream raw = Files.newInputStream(sdist);
            InputStream gz = new java.util.zip.GZIPInputStream(raw, 1 << 16);
            TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
          TarArchiveEntry e;
          while ((e = tar.getNextEntry()) != null) {
            String n = e.getName();
            if (n.split("/").length == 2 && n.endsWith("/PKG-INFO") && e.isFile()) {
              byte[] bytes = tar.readNBytes(MAX_METADATA_BYTES + 1);
              if (bytes.length > MAX_METADATA_BYTES) break;
              return bytes;
            }
          }
        }
      } else {
        try (ZipFile zip = new ZipFile(sdist.toFile())) {
          var entries = zip.entries();
          while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            if (e.getName().split("/").length == 2 && e.getName().endsWith("/PKG-INFO")) {
              try (InputStream in = zip.getInputStream(e)) {
                return in.readNBytes(MAX_METADATA_BYTES);
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw IntegrityException.malformed(f.filename(), "not a readable sdist: " + e.getMessage(), e);
    }
    throw IntegrityException.malformed(f.filename(), "sdist has no PKG-INFO");
  }

  /** Metadata must name the same project and version as the file it describes, as installers require. */
  private static CoreMetadata checked(RemoteFile f, CoreMetadata m) {
    String name = m.name() == null ? null : PypiNames.normalize(m.name());
    Version v = Version.tryParse(m.version());
    if (name == null || v == null || !name.equals(f.name().project()) || !v.equals(f.name().version())) {
      throw IntegrityException.malformed(f.url().toString(), "metadata names " + m.name() + " " + m.version() + ", the file is " + f.name().project() + " " + f.name().version());
    }
    return m;
  }

  private <K, V> V memo(Map<K, CompletableFuture<V>> map, K key, Supplier<V> work) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> existing = map.putIfAbsent(key, mine);
    if (existing != null) return join(existing);
    try {
      V v = work.get();
      mine.complete(v);
      return v;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private <K, V> void prefetch(Map<K, CompletableFuture<V>> map, K key, Supplier<V> work) {
    if (map.containsKey(key)) return;
    try {
      io.execute(() -> {
        try {
          memo(map, key, work);
        } catch (RuntimeException e) {
          // kept in the memo; reported when the resolver asks for it
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down
    }
  }

  private static <V> V join(CompletableFuture<V> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AirgapException ae) throw ae;
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EnvironmentException("interrupted");
    } catch (CompletionException e) {
      throw e;
    }
  }

  /** Lower-cased scheme check for index URLs given in a spec. */
  static boolean supportedScheme(URI u) {
    String s = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    return s.equals("http") || s.equals("https") || s.equals("file");
  }

  /** All files downloaded or fetched so far (for tests). */
  List<URI> fetched() {
    return new ArrayList<>(files.keySet());
  }
}
