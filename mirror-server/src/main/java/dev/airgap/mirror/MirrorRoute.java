package dev.airgap.mirror;

import java.io.IOException;
import java.util.Optional;

/**
 * One ecosystem's read-only view of a published generation, mounted under {@code /<prefix>/}.
 *
 * <p>The server has already checked the method (GET or HEAD only), resolved the generation once for
 * this request and stripped {@code /<prefix>/}; the route maps the rest of the path to a
 * {@link Resource} and the server does everything HTTP: conditional requests, ranges, HEAD, errors.
 *
 * <p>Rules for implementations: use only {@code generation} (never re-read {@code current}); decode
 * the raw path with {@link MirrorPaths} exactly once; never build a file system path from request
 * text except through a strict whitelist (names matched by a fixed pattern); return empty for
 * anything not found or not acceptable, so every miss is the same 404. Implementations must be
 * thread-safe: one instance serves all requests.
 */
public interface MirrorRoute {
  /** The first path segment this route owns: {@code "files"} serves {@code /files/...}. */
  String prefix();

  /**
   * Finds what the request names in {@code generation}; empty means 404. A returned resource is
   * already open and is closed by the server.
   */
  Optional<Resource> resolve(GenerationView generation, RouteRequest request) throws IOException;
}
