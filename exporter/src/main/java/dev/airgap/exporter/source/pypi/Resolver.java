package dev.airgap.exporter.source.pypi;

import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Resolves a dependency closure for one {@link TargetEnvironment}: depth-first, newest acceptable
 * version first, backtracking to the next version when a later requirement conflicts with a choice.
 * Deterministic for the same index content. A closure that cannot be satisfied fails naming every
 * requirement on the project where it first got stuck and who asked for each.
 */
final class Resolver {
  static final int MAX_ATTEMPTS = 10_000;

  /** One requirement and who asked for it ("the spec", "requirements.txt:3", "app 1.0"). */
  record Constraint(Requirement requirement, String requiredBy) {
    @Override
    public String toString() {
      return requirement.text() + " (required by " + requiredBy + ")";
    }
  }

  /** A chosen release: the version, the file that fits this environment best, its metadata, the extras asked for. */
  record Pin(String project, Version version, RemoteFile file, PackageFinder.Metadata metadata, Set<String> extras) {}

  /** A version that could be chosen, with the file that would be installed here. */
  record Candidate(Version version, RemoteFile file) {}

  private final PackageFinder finder;
  private final TargetEnvironment env;
  private final Version python;
  private final Map<String, List<Requirement>> dependencyCache = new ConcurrentHashMap<>();
  private final Set<String> prefetched = ConcurrentHashMap.newKeySet();
  private int attempts;
  private String firstFailure;

  Resolver(PackageFinder finder, TargetEnvironment env) {
    this.finder = finder;
    this.env = env;
    this.python = env.pythonVersion();
  }

  private static final class State {
    final Map<String, Pin> pins;
    final Map<String, List<Constraint>> constraints;
    final ArrayDeque<Constraint> queue;

    State(Map<String, Pin> pins, Map<String, List<Constraint>> constraints, ArrayDeque<Constraint> queue) {
      this.pins = pins;
      this.constraints = constraints;
      this.queue = queue;
    }

    State copy() {
      Map<String, List<Constraint>> c = new LinkedHashMap<>();
      constraints.forEach((k, v) -> c.put(k, new ArrayList<>(v)));
      return new State(new LinkedHashMap<>(pins), c, new ArrayDeque<>(queue));
    }
  }

  /** The pinned closure, by project name. */
  Map<String, Pin> resolve(List<Constraint> roots) {
    ArrayDeque<Constraint> queue = new ArrayDeque<>();
    for (Constraint c : roots) {
      if (c.requirement().appliesTo(env.markers(), "")) {
        queue.add(c);
        prefetch(c);
      }
    }
    Map<String, Pin> result = resolve(new State(new LinkedHashMap<>(), new LinkedHashMap<>(), queue));
    if (result == null) throw new UsageException("cannot resolve the requirements for " + env + ": " + firstFailure);
    return new TreeMap<>(result);
  }

  private Map<String, Pin> resolve(State s) {
    while (!s.queue.isEmpty()) {
      Constraint c = s.queue.poll();
      String name = c.requirement().name();
      List<Constraint> on = s.constraints.computeIfAbsent(name, k -> new ArrayList<>());
      on.add(c);
      Pin pin = s.pins.get(name);
      if (pin != null) {
        if (!c.requirement().specifiers().contains(pin.version(), true) || !hashAllowed(on, pin.file())) {
          String pinned = hashExclusion(name, on);
          fail(name + " " + pin.version() + " was chosen, but " + describe(on) + (pinned != null ? "; " + pinned : available(name, on)));
          return null;
        }
        Set<String> added = new TreeSet<>(c.requirement().extras());
        added.removeAll(pin.extras());
        if (!added.isEmpty()) {
          Set<String> all = new TreeSet<>(pin.extras());
          all.addAll(added);
          Pin widened = new Pin(pin.project(), pin.version(), pin.file(), pin.metadata(), all);
          s.pins.put(name, widened);
          enqueueDependencies(s, widened, added, true);
        }
        continue;
      }
      List<Candidate> candidates = candidates(name, on);
      if (candidates.isEmpty()) {
        Optional<PackageFinder.Project> project = finder.project(name);
        // name the requirements still queued for this project too: they are part of the conflict
        List<Constraint> all = new ArrayList<>(on);
        for (Constraint q : s.queue) if (q.requirement().name().equals(name)) all.add(q);
        String pinned = project.isEmpty() ? null : hashExclusion(name, on);
        fail(project.isEmpty() ? "no index has a project named '" + name + "' (" + describe(all) + ")"
            : pinned != null ? "no file of " + name + " satisfies " + describe(all) + ": " + pinned
            : "no version of " + name + " satisfies " + describe(all) + available(name, on));
        return null;
      }
      Set<String> extras = new TreeSet<>();
      for (Constraint k : on) extras.addAll(k.requirement().extras());
      // the next version in case of a backtrack: only its small PEP 658 file, never a whole distribution
      if (candidates.size() > 1 && candidates.get(1).file().metadataOffered() && candidates.get(1).file().name().wheel()) finder.prefetchMetadata(candidates.get(1).file());
      for (Candidate cand : candidates) {
        if (++attempts > MAX_ATTEMPTS) throw new UsageException("cannot resolve the requirements for " + env + ": gave up after " + MAX_ATTEMPTS + " attempts; first conflict: " + firstFailure);
        PackageFinder.Metadata md = finder.metadata(cand.file());
        if (!pythonAllowed(md.fields().requiresPython())) {
          fail(name + " " + cand.version() + " requires Python " + md.fields().requiresPython());
          continue;
        }
        State next = s.copy();
        Pin p = new Pin(name, cand.version(), cand.file(), md, extras);
        next.pins.put(name, p);
        Set<String> withBase = new TreeSet<>(extras);
        withBase.add("");
        enqueueDependencies(next, p, withBase, false);
        Map<String, Pin> result = resolve(next);
        if (result != null) return result;
      }
      return null;
    }
    return s.pins;
  }

  private void enqueueDependencies(State s, Pin p, Set<String> extras, boolean extrasOnly) {
    String by = p.project() + " " + p.version();
    for (Requirement r : dependencies(p)) {
      if (extrasOnly && (r.marker() == null || !r.marker().mentionsExtra())) continue;
      boolean applies = false;
      for (String extra : extras) applies |= r.appliesTo(env.markers(), extra);
      if (!applies) continue;
      Constraint c = new Constraint(r, by);
      s.queue.add(c);
      prefetch(c);
    }
  }

  private List<Requirement> dependencies(Pin p) {
    return dependencyCache.computeIfAbsent(p.file().url().toString(), k -> {
      List<Requirement> out = new ArrayList<>();
      for (String line : p.metadata().fields().requiresDist()) {
        try {
          out.add(Requirement.parse(line));
        } catch (IllegalArgumentException e) {
          throw IntegrityException.malformed(p.file().filename(), "invalid Requires-Dist '" + line + "': " + e.getMessage());
        }
      }
      return out;
    });
  }

  /**
   * Starts fetching, in the background, the project page and the metadata of the likely choice,
   * then the same for that choice's dependencies, and so on: the fetches run ahead of the resolver
   * along the whole closure instead of one dependency level at a time (without PEP 658 metadata each
   * level waits for whole wheels). Only fetches are speculative; choices are the resolver's.
   */
  private void prefetch(Constraint c) {
    Requirement req = c.requirement();
    if (!prefetched.add(req.name() + req.extras() + " " + req.specifiers() + " " + req.hashes())) return;
    finder.background(() -> {
      List<Candidate> cands = candidates(req.name(), List.of(c));
      if (cands.isEmpty()) return;
      RemoteFile likely = cands.get(0).file();
      PackageFinder.Metadata md = finder.metadata(likely);
      if (!pythonAllowed(md.fields().requiresPython())) return;
      String by = req.name() + " " + likely.name().version() + " (prefetch)";
      for (String line : md.fields().requiresDist()) {
        Requirement dep = Requirement.parse(line);
        boolean applies = dep.appliesTo(env.markers(), "");
        for (String extra : req.extras()) applies |= dep.appliesTo(env.markers(), extra);
        if (applies) prefetch(new Constraint(dep, by));
      }
    });
  }

  /**
   * Versions acceptable under {@code on}, best first, each with the file this environment would
   * install: the best-ranked compatible wheel, else an sdist. Yanked files only for an exact pin;
   * pre-releases only when a requirement names one or nothing else matches (PEP 440).
   */
  List<Candidate> candidates(String name, List<Constraint> on) {
    Optional<PackageFinder.Project> project = finder.project(name);
    if (project.isEmpty()) return List.of();
    boolean exact = on.stream().anyMatch(c -> c.requirement().specifiers().hasExactPin());
    boolean pre = on.stream().anyMatch(c -> c.requirement().specifiers().allowsPrereleases());
    TreeMap<Version, List<RemoteFile>> byVersion = new TreeMap<>(Comparator.reverseOrder());
    for (RemoteFile f : project.get().files()) byVersion.computeIfAbsent(f.name().version(), v -> new ArrayList<>()).add(f);
    List<Candidate> finals = new ArrayList<>();
    List<Candidate> pres = new ArrayList<>();
    for (Map.Entry<Version, List<RemoteFile>> e : byVersion.entrySet()) {
      Version v = e.getKey();
      boolean ok = true;
      for (Constraint c : on) ok &= c.requirement().specifiers().matches(v);
      if (!ok) continue;
      RemoteFile best = bestFile(e.getValue(), on, exact);
      if (best == null) continue;
      (v.isPrerelease() ? pres : finals).add(new Candidate(v, best));
    }
    if (pre) {
      List<Candidate> all = new ArrayList<>(finals);
      all.addAll(pres);
      all.sort(Comparator.comparing(Candidate::version).reversed());
      return all;
    }
    return finals.isEmpty() ? pres : finals;
  }

  private RemoteFile bestFile(List<RemoteFile> files, List<Constraint> on, boolean exact) {
    RemoteFile bestWheel = null;
    int bestRank = Integer.MAX_VALUE;
    RemoteFile sdist = null;
    for (RemoteFile f : files) {
      if (f.isYanked() && !exact) continue;
      if (!hashAllowed(on, f)) continue;
      if (!pythonAllowed(f.requiresPython())) continue;
      if (f.name().wheel()) {
        int rank = env.wheelRank(f.name());
        if (rank >= 0 && (rank < bestRank || (rank == bestRank && f.filename().compareTo(bestWheel.filename()) < 0))) {
          bestRank = rank;
          bestWheel = f;
        }
      } else if (sdist == null || (f.name().isTarGz() && !sdist.name().isTarGz())) {
        sdist = f;
      }
    }
    return bestWheel != null ? bestWheel : sdist;
  }

  private static boolean hashAllowed(List<Constraint> on, RemoteFile f) {
    for (Constraint c : on) {
      Set<String> hashes = c.requirement().hashes();
      if (!hashes.isEmpty() && !hashes.contains(f.sha256().hex())) return false;
    }
    return true;
  }

  /**
   * When {@code --hash} pins are what rules out every file: which versions would fit this target
   * without the pins and which of their files (name and sha256) the pins exclude; else null.
   */
  private String hashExclusion(String name, List<Constraint> on) {
    List<Constraint> pinning = on.stream().filter(c -> !c.requirement().hashes().isEmpty()).toList();
    if (pinning.isEmpty()) return null;
    List<Constraint> unpinned = on.stream().map(c -> new Constraint(c.requirement().withoutHashes(), c.requiredBy())).toList();
    List<Candidate> fitting = candidates(name, unpinned);
    if (fitting.isEmpty()) return null;
    boolean exact = on.stream().anyMatch(c -> c.requirement().specifiers().hasExactPin());
    List<Version> versions = fitting.stream().map(Candidate::version).limit(3).toList();
    List<String> excluded = new ArrayList<>();
    for (RemoteFile f : finder.project(name).orElseThrow().files()) {
      if (!versions.contains(f.name().version()) || hashAllowed(on, f) || !fits(f, exact)) continue;
      excluded.add(f.filename() + " (sha256 " + f.sha256().hex() + ")");
    }
    Collections.sort(excluded);
    String shown = excluded.stream().limit(8).collect(Collectors.joining(", ")) + (excluded.size() > 8 ? ", ..." : "");
    String by = pinning.stream().map(Constraint::requiredBy).distinct().collect(Collectors.joining(", "));
    String which = versions.stream().map(Version::toString).collect(Collectors.joining(", "));
    return name + " " + which + (versions.size() == 1 ? " exists" : " exist") + " for " + env + ", but the --hash pins of " + by
        + " exclude " + (versions.size() == 1 ? "its" : "their") + " files for it: " + shown;
  }

  /** Whether this target could install {@code f}, hashes aside. */
  private boolean fits(RemoteFile f, boolean exact) {
    if (f.isYanked() && !exact) return false;
    if (!pythonAllowed(f.requiresPython())) return false;
    return !f.name().wheel() || env.wheelRank(f.name()) >= 0;
  }

  private boolean pythonAllowed(String requiresPython) {
    if (requiresPython == null || requiresPython.isBlank()) return true;
    try {
      return SpecifierSet.parse(requiresPython).contains(python, true);
    } catch (IllegalArgumentException e) {
      return true; // an unparseable Requires-Python is ignored, as installers do
    }
  }

  private void fail(String why) {
    if (firstFailure == null) firstFailure = why;
  }

  private static String describe(List<Constraint> on) {
    Set<String> seen = new HashSet<>();
    return on.stream().map(Constraint::toString).filter(seen::add).collect(Collectors.joining("; "));
  }

  private String available(String name, List<Constraint> on) {
    Optional<PackageFinder.Project> project = finder.project(name);
    if (project.isEmpty()) return "";
    TreeSet<Version> versions = new TreeSet<>(Comparator.reverseOrder());
    for (RemoteFile f : project.get().files()) {
      if (f.name().wheel() ? env.wheelRank(f.name()) >= 0 : true) versions.add(f.name().version());
    }
    List<String> shown = versions.stream().limit(12).map(Version::toString).toList();
    return versions.isEmpty() ? "; no file of " + name + " fits " + env : "; versions for " + env + ": " + String.join(", ", shown) + (versions.size() > 12 ? ", ..." : "");
  }

  static List<Constraint> unmodifiable(List<Constraint> c) {
    return Collections.unmodifiableList(c);
  }
}
