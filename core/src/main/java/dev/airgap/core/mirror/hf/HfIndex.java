package dev.airgap.core.mirror.hf;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Digest;
import dev.airgap.core.Json;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The index of the Hugging Face slice in a generation: {@code hf/index.json}, mapping kind
 * ({@code model}, {@code dataset}) → repository id → its published commits, named revisions and
 * head. Written by the importer's publisher, read by the mirror's {@code /hf} route.
 */
public record HfIndex(Map<String, Map<String, Repo>> kinds) {
  public static final String RELATIVE_PATH = "hf/index.json";
  public static final String MODEL = "model";
  public static final String DATASET = "dataset";
  /** {@code name} or {@code org/name}, hub-style: no {@code --} or {@code ..} inside a part. */
  public static final Pattern REPO_ID = Pattern.compile("(?!.*(--|\\.\\.))[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?");
  /** A branch or tag name the mirror can serve (one path segment). */
  public static final Pattern REF_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  public HfIndex {
    TreeMap<String, Map<String, Repo>> copy = new TreeMap<>();
    kinds.forEach((k, repos) -> copy.put(k, Collections.unmodifiableMap(new TreeMap<>(repos))));
    kinds = Collections.unmodifiableMap(copy);
  }

  /**
   * One repository: {@code head} is the commit of the latest import (what {@code HEAD} and, unless
   * a bundle named it otherwise, {@code main} resolve to); {@code refs} maps exported branch or tag
   * names to commits; {@code tags} names the refs that are tags upstream (the others are branches;
   * absent in indexes written before it existed); {@code commits} keeps every commit ever published.
   */
  @JsonPropertyOrder({"head", "refs", "tags", "commits"})
  public record Repo(String head, Map<String, String> refs, Set<String> tags, Map<String, Commit> commits) {
    public Repo {
      refs = Collections.unmodifiableMap(new TreeMap<>(refs));
      TreeSet<String> named = new TreeSet<>(tags == null ? Set.of() : tags);
      named.retainAll(refs.keySet());
      tags = Collections.unmodifiableSortedSet(named);
      commits = Collections.unmodifiableMap(new TreeMap<>(commits));
    }

    /** Branch names with their commits: every exported ref that is not a tag, and {@code main}. */
    public Map<String, String> branches() {
      TreeMap<String, String> b = new TreeMap<>();
      refs.forEach((name, commit) -> {
        if (!tags.contains(name)) b.put(name, commit);
      });
      if (!refs.containsKey("main")) b.put("main", head);
      return b;
    }

    /** The commit a revision names: a published commit id, an exported ref, or HEAD/main → head. */
    public String resolve(String revision) {
      if (GitOids.OID.matcher(revision).matches()) return commits.containsKey(revision) ? revision : null;
      String ref = refs.get(revision);
      if (ref != null) return ref;
      return revision.equals("HEAD") || revision.equals("main") ? head : null;
    }
  }

  /**
   * One published commit: its files by repository path, and its card data (the README's front
   * matter as JSON, as the Hub serves it; indexes written before held only license and base_model).
   */
  @JsonPropertyOrder({"bundleId", "imported", "card", "files"})
  public record Commit(String bundleId, Instant imported, ObjectNode card, Map<String, File> files) {
    public Commit {
      card = card == null ? JsonNodeFactory.instance.objectNode() : card.deepCopy();
      files = Collections.unmodifiableMap(new TreeMap<>(files));
    }

    /** A copy: the node itself is mutable. */
    @Override
    public ObjectNode card() {
      return card.deepCopy();
    }
  }

  /**
   * One file: its content blob, whether the hub stores it with Git LFS, and its git object id
   * ({@code oid}: of the content, or of the LFS pointer for LFS files).
   */
  @JsonPropertyOrder({"sha256", "size", "lfs", "oid"})
  public record File(Digest sha256, long size, boolean lfs, String oid) {
    /** The entity tag a hub sends: SHA-256 for LFS files, the git blob id otherwise. */
    public String entityTag() {
      return lfs ? sha256.hex() : oid;
    }
  }

  public static HfIndex empty() {
    return new HfIndex(Map.of());
  }

  public Repo repo(String kind, String id) {
    Map<String, Repo> repos = kinds.get(kind);
    return repos == null ? null : repos.get(id);
  }

  /** Reads the index of a generation; a generation without one has no repositories. */
  public static HfIndex read(Path generationDir) {
    Path file = generationDir.resolve(RELATIVE_PATH);
    if (!Files.exists(file)) return empty();
    try {
      JsonNode tree = Json.strict().readTree(file.toFile());
      // Indexes written before repositories had "tags" lack it; the strict mapper wants every field.
      tree.path("kinds").forEach(repos -> repos.forEach(repo -> {
        if (repo instanceof ObjectNode o && !o.has("tags")) o.putArray("tags");
      }));
      return Json.strict().treeToValue(tree, HfIndex.class);
    } catch (IOException e) {
      throw IntegrityException.malformed(file.toString(), "unreadable hf index: " + e.getMessage(), e);
    }
  }

  public void write(Path generationDir) throws IOException {
    Path file = generationDir.resolve(RELATIVE_PATH);
    Files.createDirectories(file.getParent());
    Files.write(file, Json.strict().writeValueAsBytes(this));
  }
}
