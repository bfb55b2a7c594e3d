package dev.airgap.importer.publish.git;

import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.manifest.Artifact;
import dev.airgap.core.manifest.ArtifactFile;
import dev.airgap.core.mirror.git.GitIndex;
import dev.airgap.importer.publish.PublishContext;
import dev.airgap.importer.publish.Publisher;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.internal.storage.file.GC;
import org.eclipse.jgit.internal.submodule.SubmoduleValidator;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.GitmoduleEntry;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectChecker;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.ObjectWalk;
import org.eclipse.jgit.revwalk.RevBlob;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PackParser;

/**
 * Publishes {@code git} artifacts: each carries one git bundle for repository {@code name}. The
 * bundle's pack is indexed into a bare repository {@code git/<name>.git/} of the new generation
 * with every object checked (JGit's object checker with the Windows and macOS path rules, so
 * {@code .git}, {@code .GIT}, {@code git~1} and similar tree entries are refused), its
 * {@code .gitmodules} files validated, and every ref's history checked complete. An incremental
 * bundle builds on the repository of the previous generation (its packs hard-linked, never
 * modified); its base commits must be there.
 *
 * <p>Retention: repositories not in the bundle are carried forward unchanged (hard links). An
 * updated repository's refs are exactly the bundle's refs (a ref the upstream deleted goes away);
 * objects of earlier incremental imports stay. A full bundle starts the repository afresh. A
 * repository belongs to the channel that first published it.
 */
public final class GitPublisher implements Publisher {
  private static final Set<String> TYPES = Set.of("git");
  private static final int MAX_GITMODULES_BYTES = 1 << 20;
  /** Incremental imports add one pack each; past this many the repository is repacked into one. */
  static final int MAX_PACKS = 8;

  @Override
  public Set<String> types() {
    return TYPES;
  }

  @Override
  public void publish(PublishContext ctx) throws IOException {
    dev.airgap.core.git.JGitSandbox.install();
    Optional<Path> previousGen = ctx.previousGeneration();
    GitIndex previous = previousGen.map(GitIndex::read).orElse(GitIndex.empty());
    List<Artifact> artifacts = ctx.artifactsOf(TYPES);
    if (artifacts.isEmpty() && previous.repos().isEmpty()) return;

    Map<String, GitIndex.Repo> repos = new TreeMap<>(previous.repos());
    Map<String, String> byFoldedName = new HashMap<>();
    repos.keySet().forEach(n -> byFoldedName.put(n.toLowerCase(Locale.ROOT), n));
    Map<String, GitIndex.Repo> updated = new TreeMap<>();
    String channel = ctx.manifest().channel();
    for (Artifact a : artifacts) {
      String name = a.name();
      String where = "git repository '" + name + "'";
      if (!GitIndex.validName(name)) throw IntegrityException.malformed(where, "name must match " + GitIndex.NAME.pattern() + " and not end in .git");
      if (updated.containsKey(name)) throw IntegrityException.malformed(where, "appears twice in the bundle");
      String folded = byFoldedName.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
      if (folded != null && !folded.equals(name)) throw IntegrityException.malformed(where, "differs only in case from the published repository '" + folded + "'");
      GitIndex.Repo before = repos.get(name);
      if (before != null && !before.channel().equals(channel)) {
        throw IntegrityException.malformed(where, "is published by channel '" + before.channel() + "'; channel '" + channel + "' may not replace it");
      }
      if (a.files().size() != 1) throw IntegrityException.malformed(where, "must carry exactly one bundle file, found " + a.files().size());
      ArtifactFile file = a.files().get(0);
      String head = a.properties().getOrDefault("head", "refs/heads/main");
      if (!head.startsWith(Constants.R_HEADS) || !Repository.isValidRefName(head)) throw IntegrityException.malformed(where, "head '" + head + "' is not a branch name");
      Optional<Path> previousRepo = before == null ? Optional.empty() : previousGen.map(g -> GitIndex.repoDir(g, name));
      Map<String, String> refs = apply(ctx.blob(file.sha256()), previousRepo, GitIndex.repoDir(ctx.newGeneration(), name), where + ", bundle " + file.path(), head);
      updated.put(name, new GitIndex.Repo(a.properties().getOrDefault("url", ""), head, refs, channel, ctx.manifest().bundleId()));
    }
    for (String name : previous.repos().keySet()) {
      if (!updated.containsKey(name)) linkTree(GitIndex.repoDir(previousGen.orElseThrow(), name), GitIndex.repoDir(ctx.newGeneration(), name));
    }
    repos.putAll(updated);
    new GitIndex(repos).write(ctx.newGeneration());
  }

  /** Indexes the bundle into {@code dir} (building on {@code previousRepo} when incremental); returns its refs. */
  private static Map<String, String> apply(Path bundle, Optional<Path> previousRepo, Path dir, String where, String head) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(bundle), 1 << 16)) {
      GitBundleHeader header = GitBundleHeader.read(in, where);
      boolean incremental = !header.prerequisites().isEmpty();
      if (incremental && previousRepo.isEmpty()) throw missingBase(where, header.prerequisites().get(0), "the mirror has no copy of this repository");
      createBare(dir, head);
      if (incremental) linkPacks(previousRepo.get(), dir);
      try (Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().setMustExist(true).build()) {
        if (incremental) checkBases(repo, header, where);
        ObjectChecker checker = new ObjectChecker().setSafeForWindows(true).setSafeForMacOS(true);
        try (ObjectInserter inserter = repo.newObjectInserter()) {
          PackParser parser = inserter.newPackParser(in);
          parser.setAllowThin(incremental);
          parser.setObjectChecker(checker);
          parser.setCheckEofAfterPackFooter(true);
          parser.setExpectDataAfterPackFooter(false);
          parser.parse(NullProgressMonitor.INSTANCE);
          inserter.flush();
        } catch (CorruptObjectException e) {
          throw IntegrityException.malformed(where, "object rejected: " + e.getMessage(), e);
        } catch (IOException e) {
          throw IntegrityException.malformed(where, "unreadable pack: " + e.getMessage(), e);
        }
        checkGitmodules(repo, checker.getGitsubmodules(), where);
        Map<String, String> refs = checkComplete(repo, header, where);
        writePackedRefs(repo, dir, header);
        if (!incremental || packCount(dir) > MAX_PACKS) repack(repo, where);
        return refs;
      }
    }
  }

  /**
   * Rewrites the repository (of the generation being built) as one pack with a reachability
   * bitmap: serving a clone then reuses the pack as it is instead of walking the whole history
   * (JGit's and C git's upload-pack both use the bitmap). GC's repack and prune steps are called
   * directly, not {@code gc()}: that takes a {@code gc.pid} lock naming this host, which it gets from
   * {@code InetAddress.getLocalHost()}, a DNS query for a host name not in /etc/hosts (the isolated
   * side asks no name service). The refs are already packed, and the generation is private to
   * this import, so neither the lock nor ref packing is needed.
   */
  private static void repack(Repository repo, String where) throws IOException {
    GC gc = new GC((FileRepository) repo);
    gc.setExpire(Instant.now());
    try {
      gc.repack();
      gc.prune(Set.of());
    } catch (java.text.ParseException e) {
      throw new IOException(where + ": repacking failed: " + e.getMessage(), e);
    }
  }

  private static long packCount(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("objects/pack"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".pack")).count();
    }
  }

  private static IntegrityException missingBase(String where, ObjectId base, String why) {
    return IntegrityException.malformed(where, "incremental bundle needs base commit " + base.name() + ", which the mirror does not have (" + why
        + "); import the channel's earlier bundles first, or export a full bundle (without --state)");
  }

  private static void checkBases(Repository repo, GitBundleHeader header, String where) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      for (ObjectId base : header.prerequisites()) {
        try {
          walk.parseCommit(base);
        } catch (MissingObjectException e) {
          throw missingBase(where, base, "not in the published repository");
        } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
          throw IntegrityException.malformed(where, "prerequisite " + base.name() + " is not a commit");
        }
      }
    }
  }

  /** Rejects {@code .gitmodules} files that could make a client run a command or write outside the work tree. */
  private static void checkGitmodules(Repository repo, List<GitmoduleEntry> entries, String where) throws IOException {
    try (ObjectReader reader = repo.newObjectReader()) {
      for (GitmoduleEntry e : entries) {
        byte[] content = reader.open(e.getBlobId(), Constants.OBJ_BLOB).getCachedBytes(MAX_GITMODULES_BYTES);
        try {
          SubmoduleValidator.assertValidGitModulesFile(new String(content, StandardCharsets.UTF_8));
        } catch (SubmoduleValidator.SubmoduleValidationException ex) {
          throw IntegrityException.malformed(where, ".gitmodules " + e.getBlobId().name() + " rejected: " + ex.getMessage());
        }
      }
    } catch (org.eclipse.jgit.errors.LargeObjectException e) {
      throw IntegrityException.malformed(where, ".gitmodules larger than " + MAX_GITMODULES_BYTES + " bytes");
    }
  }

  /**
   * Every ref's whole history is present: commits, trees and blobs reachable from the refs and not
   * from the base commits exist in the repository.
   */
  private static Map<String, String> checkComplete(Repository repo, GitBundleHeader header, String where) throws IOException {
    Map<String, String> refs = new TreeMap<>();
    try (ObjectWalk walk = new ObjectWalk(repo); ObjectReader reader = repo.newObjectReader()) {
      String current = null;
      try {
        for (Map.Entry<String, ObjectId> r : header.refs().entrySet()) {
          current = r.getKey();
          walk.markStart(walk.parseAny(r.getValue()));
          refs.put(r.getKey(), r.getValue().name());
        }
        current = null;
        for (ObjectId base : header.prerequisites()) walk.markUninteresting(walk.parseCommit(base));
        while (walk.next() != null) {
          // commits are parsed by the walk
        }
        RevObject o;
        while ((o = walk.nextObject()) != null) {
          if (o instanceof RevBlob && !reader.has(o, Constants.OBJ_BLOB)) throw new MissingObjectException(o, Constants.OBJ_BLOB);
        }
      } catch (MissingObjectException e) {
        throw IntegrityException.malformed(where, (current == null ? "" : "ref " + current + ": ") + "object " + e.getObjectId().name() + " is missing (incomplete history)");
      }
    }
    return refs;
  }

  private static void writePackedRefs(Repository repo, Path dir, GitBundleHeader header) throws IOException {
    StringBuilder b = new StringBuilder("# pack-refs with: peeled fully-peeled sorted \n");
    try (RevWalk walk = new RevWalk(repo)) {
      for (Map.Entry<String, ObjectId> r : new TreeMap<>(header.refs()).entrySet()) {
        b.append(r.getValue().name()).append(' ').append(r.getKey()).append('\n');
        RevObject o = walk.parseAny(r.getValue());
        if (o instanceof RevTag) b.append('^').append(walk.peel(o).name()).append('\n');
      }
    }
    Files.writeString(dir.resolve("packed-refs"), b.toString(), StandardCharsets.UTF_8);
  }

  private static void createBare(Path dir, String head) throws IOException {
    Files.createDirectories(dir.resolve("objects/pack"));
    Files.createDirectories(dir.resolve("objects/info"));
    Files.createDirectories(dir.resolve("refs/heads"));
    Files.createDirectories(dir.resolve("refs/tags"));
    Files.writeString(dir.resolve("HEAD"), "ref: " + head + "\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("config"), "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n", StandardCharsets.UTF_8);
  }

  /** The previous generation's packs, shared by hard link (packs are never modified). */
  private static void linkPacks(Path from, Path to) throws IOException {
    Path packs = from.resolve("objects/pack");
    if (!Files.isDirectory(packs)) return;
    try (Stream<Path> s = Files.list(packs)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith("pack-") && !n.endsWith(".keep") && Files.isRegularFile(p)) link(p, to.resolve("objects/pack").resolve(n));
      }
    }
  }

  /** A repository carried forward unchanged: every file hard-linked. */
  private static void linkTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(target);
        else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) link(p, target);
      }
    }
  }

  private static void link(Path source, Path target) throws IOException {
    try {
      Files.createLink(target, source);
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(source, target);
    }
  }
}
