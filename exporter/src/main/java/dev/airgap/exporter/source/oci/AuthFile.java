package dev.airgap.exporter.source.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * A docker-style {@code auth.json} / {@code config.json}: {@code {"auths": {"host": {"auth":
 * base64(user:password)}}}} (or {@code username}/{@code password}). Credential helpers are not run.
 */
final class AuthFile {
  private AuthFile() {}

  /** The base64 {@code user:password} for {@code host}, if the file has one. */
  static Optional<String> basicFor(Path file, String host) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new UsageException("auth file " + file + ": unreadable: " + e.getMessage());
    }
    JsonNode auths = root == null ? null : root.get("auths");
    if (auths == null || !auths.isObject()) throw new UsageException("auth file " + file + ": no \"auths\" object");
    JsonNode entry = auths.get(host);
    if (entry == null) entry = auths.get("https://" + host);
    if (entry == null) entry = auths.get("http://" + host);
    if (entry == null) return Optional.empty();
    if (entry.hasNonNull("auth")) {
      String auth = entry.get("auth").asText();
      try {
        String decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
        if (!decoded.contains(":")) throw new UsageException("auth file " + file + ": entry for " + host + " is not base64(user:password)");
      } catch (IllegalArgumentException e) {
        throw new UsageException("auth file " + file + ": entry for " + host + " is not base64");
      }
      return Optional.of(auth);
    }
    if (entry.hasNonNull("username") && entry.hasNonNull("password")) {
      String pair = entry.get("username").asText() + ":" + entry.get("password").asText();
      return Optional.of(Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    return Optional.empty();
  }
}
