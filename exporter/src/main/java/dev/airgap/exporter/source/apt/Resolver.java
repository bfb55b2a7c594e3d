package dev.airgap.exporter.source.apt;

import dev.airgap.core.error.UsageException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes the dependency closure of requested packages for one architecture, as apt would pick
 * it for an empty system: {@code Pre-Depends} and {@code Depends} (and {@code Recommends} when
 * asked, skipping those that cannot be met), the first alternative that is already chosen or can
 * be met, the highest version that satisfies a versioned constraint, and virtual packages through
 * {@code Provides} (a real package of the name wins; otherwise the provider already chosen, or
 * the provider whose name sorts first). Conflicts and Breaks are not evaluated: the enclave's apt
 * does that when it installs.
 */
final class Resolver {
  private static final Comparator<Candidate> NEWEST_FIRST = Comparator.comparing(Candidate::version).reversed().thenComparing(Candidate::architecture);
  private static final Comparator<Candidate> BY_NAME_THEN_NEWEST = Comparator.comparing(Candidate::name).thenComparing(NEWEST_FIRST);
  private final PackageIndex index;
  private final String architecture;
  private final String where;
  private final Map<String, List<Candidate>> byName = new HashMap<>();
  private final Map<String, List<Candidate>> byProvides = new HashMap<>();
  private final Map<String, Candidate> selected = new LinkedHashMap<>();
  private final Map<String, List<Candidate>> selectedProviders = new HashMap<>();
  private final boolean recommends;

  /** Looks packages up in {@code index} as it goes: only the stanzas resolution visits are read. */
  Resolver(PackageIndex index, String architecture, boolean recommends, String where) {
    this.index = index;
    this.architecture = architecture;
    this.recommends = recommends;
    this.where = where;
  }

  /** This architecture's (and {@code all}) packages named {@code name}, newest first. */
  private List<Candidate> named(String name) {
    return byName.computeIfAbsent(name, n -> ofArchitecture(index.named(n), NEWEST_FIRST));
  }

  /** This architecture's (and {@code all}) packages that provide {@code name}, by name, then newest first. */
  private List<Candidate> providers(String name) {
    return byProvides.computeIfAbsent(name, n -> ofArchitecture(index.providing(n), BY_NAME_THEN_NEWEST));
  }

  private List<Candidate> ofArchitecture(List<Candidate> all, Comparator<Candidate> order) {
    List<Candidate> out = new ArrayList<>(all.size());
    for (Candidate c : all) if (c.architecture().equals(architecture) || c.architecture().equals("all")) out.add(c);
    out.sort(order); // stable: among equals, index order (components, then architectures, as listed)
    return out;
  }

  /** The closure of {@code requests}, in the order packages were chosen. */
  List<Candidate> resolve(List<Relation> requests) {
    Deque<Need> queue = new ArrayDeque<>();
    for (Relation r : requests) {
      if (satisfied(r)) continue;
      Candidate c = best(r);
      if (c == null) throw new UsageException(where + ": requested package '" + r + "' is not available for " + architecture);
      select(c, queue, "requested");
    }
    while (!queue.isEmpty()) {
      Need n = queue.poll();
      if (n.alternatives().stream().anyMatch(this::satisfied)) continue;
      Candidate chosen = null;
      for (Relation alt : n.alternatives()) {
        chosen = best(alt);
        if (chosen != null) break;
      }
      if (chosen == null) {
        if (n.optional()) continue;
        throw new UsageException(where + ": " + n.neededBy().label() + " depends on '" + Relation.describe(n.alternatives())
            + "', which no package in the configured components provides for " + architecture);
      }
      select(chosen, queue, n.neededBy().label());
    }
    return List.copyOf(selected.values());
  }

  private record Need(Candidate neededBy, List<Relation> alternatives, boolean optional) {}

  private void select(Candidate c, Deque<Need> queue, String neededBy) {
    Candidate earlier = selected.get(c.name());
    if (earlier != null) {
      if (earlier.version().equals(c.version())) return;
      throw new UsageException(where + ": " + neededBy + " needs " + c.label() + " but " + earlier.label() + " was already chosen (no single version satisfies both)");
    }
    selected.put(c.name(), c);
    for (Relation p : c.provides()) selectedProviders.computeIfAbsent(p.name(), n -> new ArrayList<>()).add(c);
    for (List<Relation> d : c.depends()) queue.add(new Need(c, d, false));
    if (recommends) for (List<Relation> d : c.recommends()) queue.add(new Need(c, d, true));
  }

  private boolean satisfied(Relation r) {
    Candidate s = selected.get(r.name());
    if (s != null && r.accepts(s.version())) return true;
    for (Candidate p : selectedProviders.getOrDefault(r.name(), List.of())) {
      if (providesMatching(p, r)) return true;
    }
    return false;
  }

  /** The newest real package that satisfies {@code r}, else the first provider of it. */
  private Candidate best(Relation r) {
    for (Candidate c : named(r.name())) {
      if (r.accepts(c.version())) return c;
    }
    for (Candidate c : providers(r.name())) {
      Candidate earlier = selected.get(c.name());
      if (earlier != null && !earlier.version().equals(c.version())) continue;
      if (providesMatching(c, r)) return c;
    }
    return null;
  }

  /** A provider satisfies an unversioned relation, or a versioned one through a versioned Provides ({@code foo (= 1.0)}). */
  private static boolean providesMatching(Candidate provider, Relation r) {
    for (Relation p : provider.provides()) {
      if (!p.name().equals(r.name())) continue;
      if (r.op() == null) return true;
      if ("=".equals(p.op()) && r.accepts(p.version())) return true;
    }
    return false;
  }
}
