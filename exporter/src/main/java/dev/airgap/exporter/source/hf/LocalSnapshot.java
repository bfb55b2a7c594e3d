package dev.airgap.exporter.source.hf;

import dev.airgap.core.Digest;
import dev.airgap.core.HashingCopy;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import dev.airgap.core.mirror.hf.GitOids;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A repository snapshot on disk: a Hugging Face cache snapshot
 * ({@code <kind>s--ORG--NAME/snapshots/COMMIT/}, whose files link to {@code ../../blobs/<etag>})
 * or a plain directory. In a cache the blob name says how the hub stored each file: 64 hex is the
 * SHA-256 of an LFS file, 40 hex the git blob id of a regular one; both are verified. For a plain
 * directory, {@code .gitattributes} ({@code filter=lfs}) decides, or without one the hub's
 * defaults (weight formats and archives, and anything over 10 MiB).
 */
final class LocalSnapshot {
  private static final Pattern HEX40 = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final long LFS_SIZE_THRESHOLD = 10L << 20;
  private static final Set<String> LFS_EXTENSIONS = Set.of("safetensors", "bin", "pt", "pth", "ckpt", "pkl", "pickle", "h5", "onnx", "gguf", "msgpack",
      "tflite", "npy", "npz", "ot", "model", "arrow", "parquet", "zip", "tar", "gz", "tgz", "zst", "7z", "rar", "xz", "bz2", "joblib", "mlmodel", "pb", "wasm");

  private LocalSnapshot() {}

  /** A snapshot dir inside a cache: kind, repo id and commit, or null when {@code dir} is not one. */
  record CacheLocation(String kind, String repo, String commit, Path repoDir) {}

  static CacheLocation cacheLocation(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    Path snapshots = abs.getParent();
    if (snapshots == null || snapshots.getFileName() == null || !snapshots.getFileName().toString().equals("snapshots")) return null;
    if (!HEX40.matcher(abs.getFileName().toString()).matches()) return null;
    Path repoDir = snapshots.getParent();
    RepoDirName name = repoDirName(repoDir);
    return name == null ? null : new CacheLocation(name.kind(), name.repo(), abs.getFileName().toString(), repoDir);
  }

  record RepoDirName(String kind, String repo) {}

  /** {@code models--ORG--NAME} → (model, ORG/NAME); null for anything else. */
  static RepoDirName repoDirName(Path repoDir) {
    if (repoDir == null || repoDir.getFileName() == null) return null;
    String n = repoDir.getFileName().toString();
    for (String kind : List.of("model", "dataset")) {
      String prefix = kind + "s--";
      if (n.startsWith(prefix)) return new RepoDirName(kind, n.substring(prefix.length()).replace("--", "/"));
    }
    return null;
  }

  /** The cache folder of a repository under a cache root: {@code <kind>s--ORG--NAME}. */
  static Path repoDir(Path cacheRoot, String kind, String repo) {
    return cacheRoot.resolve(kind + "s--" + repo.replace("/", "--"));
  }

  /** The commit a revision names in a cache repository folder: a snapshot id, or the content of {@code refs/<rev>}. */
  static String resolveCacheRevision(Path repoDir, String revision, String where) {
    if (HEX40.matcher(revision).matches() && Files.isDirectory(repoDir.resolve("snapshots").resolve(revision))) return revision;
    Path ref = repoDir.resolve("refs").resolve(revision).normalize();
    if (!ref.startsWith(repoDir.resolve("refs")) || !Files.isRegularFile(ref)) {
      throw new UsageException(where + ": revision '" + revision + "' is neither a snapshot nor a ref in " + repoDir);
    }
    try {
      String commit = Files.readString(ref, StandardCharsets.US_ASCII).strip();
      if (!HEX40.matcher(commit).matches()) throw new UsageException(where + ": " + ref + " does not hold a commit id");
      if (!Files.isDirectory(repoDir.resolve("snapshots").resolve(commit))) throw new UsageException(where + ": snapshot " + commit + " (" + ref + ") is missing");
      return commit;
    } catch (IOException e) {
      throw EnvironmentException.io(ref, e);
    }
  }

  /** Names of the refs in a cache repository folder that point at {@code commit}. */
  static List<String> refsOf(Path repoDir, String commit) {
    Path refs = repoDir.resolve("refs");
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(refs)) return names;
    try (Stream<Path> s = Files.list(refs)) {
      for (Path p : s.sorted().toList()) {
        if (Files.isRegularFile(p) && Files.readString(p, StandardCharsets.US_ASCII).strip().equals(commit)) names.add(p.getFileName().toString());
      }
    } catch (IOException e) {
      throw EnvironmentException.io(refs, e);
    }
    return names;
  }

  /** The files of a snapshot dir that {@code globs} accepts, hashed (and verified against cache blob names) on the pool. */
  static List<RepoFile> files(Path root, Globs globs, java.util.concurrent.ExecutorService pool) {
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
      for (Path p : walk.sorted().toList()) {
        if (Files.isDirectory(p)) continue;
        if (!Files.isRegularFile(p)) throw new UsageException(p + ": not a regular file (dangling link?)");
        String rel = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
        if (rel.equals(".git") || rel.startsWith(".git/") || rel.startsWith(".cache/huggingface/")) continue;
        if (globs.accepts(rel)) paths.add(p);
      }
    } catch (UncheckedIOException e) {
      throw EnvironmentException.io(root, e.getCause());
    } catch (IOException e) {
      throw EnvironmentException.io(root, e);
    }
    GitAttributes attributes = GitAttributes.read(root.resolve(".gitattributes"));
    List<java.util.concurrent.Future<RepoFile>> futures = new ArrayList<>();
    for (Path p : paths) {
      String rel = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
      futures.add(pool.submit(() -> hash(p, rel, attributes)));
    }
    List<RepoFile> out = new ArrayList<>();
    for (var f : futures) out.add(HuggingFaceSource.await(f, root));
    return out;
  }

  private static RepoFile hash(Path file, String rel, GitAttributes attributes) throws IOException {
    String blobName = null;
    if (Files.isSymbolicLink(file)) {
      Path target = Files.readSymbolicLink(file);
      if (target.getFileName() != null) blobName = target.getFileName().toString();
    }
    long size = Files.size(file);
    boolean lfs;
    if (blobName != null && HEX64.matcher(blobName).matches()) lfs = true;
    else if (blobName != null && HEX40.matcher(blobName).matches()) lfs = false;
    else lfs = attributes != null ? attributes.isLfs(rel) : defaultLfs(rel, size);

    Digest sha256;
    if (lfs) {
      try (InputStream in = Files.newInputStream(file)) {
        sha256 = HashingCopy.hash(in, size).digest();
      }
      if (blobName != null && HEX64.matcher(blobName).matches() && !sha256.hex().equals(blobName)) {
        throw IntegrityException.mismatch(file + " (cache blob)", "sha256:" + blobName, sha256);
      }
    } else {
      // One read feeds both digests: the git blob id rides along as a DigestInputStream.
      MessageDigest git = GitOids.blobDigest(size);
      HashingCopy.Result r;
      try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(file), git)) {
        r = HashingCopy.hash(in, size);
      }
      if (r.size() != size) throw new IOException(file + " changed while it was read");
      sha256 = r.digest();
      String oid = HexFormat.of().formatHex(git.digest());
      if (blobName != null && HEX40.matcher(blobName).matches() && !oid.equals(blobName)) {
        throw IntegrityException.mismatch(file + " (cache blob, git blob id)", blobName, oid);
      }
    }
    return new RepoFile(rel, size, sha256, lfs, file);
  }

  static boolean defaultLfs(String rel, long size) {
    if (size > LFS_SIZE_THRESHOLD) return true;
    String name = rel.substring(rel.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    return dot >= 0 && LFS_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** The {@code filter=lfs} lines of a {@code .gitattributes} file (last matching line wins). */
  static final class GitAttributes {
    private record Rule(Pattern pattern, boolean basenameOnly, Boolean lfs) {}

    private final List<Rule> rules;

    private GitAttributes(List<Rule> rules) {
      this.rules = rules;
    }

    static GitAttributes read(Path file) {
      if (!Files.isRegularFile(file)) return null;
      List<Rule> rules = new ArrayList<>();
      try {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          String l = line.strip();
          if (l.isEmpty() || l.startsWith("#")) continue;
          String[] parts = l.split("\\s+");
          Boolean lfs = null;
          for (int i = 1; i < parts.length; i++) {
            if (parts[i].equals("filter=lfs")) lfs = true;
            else if (parts[i].equals("-filter") || parts[i].equals("!filter")) lfs = false;
          }
          if (lfs == null) continue;
          String p = parts[0].startsWith("/") ? parts[0].substring(1) : parts[0];
          rules.add(new Rule(wildmatch(p), !parts[0].contains("/"), lfs));
        }
      } catch (IOException e) {
        throw EnvironmentException.io(file, e);
      }
      return new GitAttributes(rules);
    }

    boolean isLfs(String rel) {
      boolean lfs = false;
      String base = rel.substring(rel.lastIndexOf('/') + 1);
      for (Rule r : rules) {
        if (r.pattern().matcher(r.basenameOnly() ? base : rel).matches()) lfs = r.lfs();
      }
      return lfs;
    }

    private static Pattern wildmatch(String glob) {
      StringBuilder re = new StringBuilder();
      for (int i = 0; i < glob.length(); i++) {
        char c = glob.charAt(i);
        if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          re.append(".*");
          i++;
          if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') i++;
        } else if (c == '*') {
          re.append("[^/]*");
        } else if (c == '?') {
          re.append("[^/]");
        } else {
          re.append(Pattern.quote(String.valueOf(c)));
        }
      }
      return Pattern.compile(re.toString());
    }
  }
}
