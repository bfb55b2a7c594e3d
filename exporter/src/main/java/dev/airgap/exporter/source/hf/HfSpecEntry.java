package dev.airgap.exporter.source.hf;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Spec fields of a {@code type: huggingface} entry (docs/hf.md). Either {@code endpoint} (a
 * Hub-compatible server) with {@code repos}, or {@code path}: a Hugging Face cache directory, one
 * repository or snapshot inside it, or a plain snapshot directory (then {@code repo} names it).
 */
record HfSpecEntry(
    @JsonProperty(value = "type", required = true) String type,
    @JsonProperty("endpoint") String endpoint,
    @JsonProperty("token") String token,
    @JsonProperty("tokenFile") String tokenFile,
    @JsonProperty("tokenEnv") String tokenEnv,
    @JsonProperty("path") String path,
    @JsonProperty("repo") String repo,
    @JsonProperty("kind") String kind,
    @JsonProperty("revision") String revision,
    @JsonProperty("commit") String commit,
    @JsonProperty("include") List<String> include,
    @JsonProperty("exclude") List<String> exclude,
    @JsonProperty("repos") List<RepoSpec> repos,
    @JsonProperty("connectTimeoutSeconds") Integer connectTimeoutSeconds,
    @JsonProperty("readTimeoutSeconds") Integer readTimeoutSeconds,
    @JsonProperty("requestTimeoutSeconds") Integer requestTimeoutSeconds) {

  /** One repository to export: {@code id} ({@code org/name}), kind, revision, file patterns. */
  record RepoSpec(
      @JsonProperty(value = "id", required = true) String id,
      @JsonProperty("kind") String kind,
      @JsonProperty("revision") String revision,
      @JsonProperty("include") List<String> include,
      @JsonProperty("exclude") List<String> exclude) {}
}
