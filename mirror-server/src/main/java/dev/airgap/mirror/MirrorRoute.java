package dev.airgap.mirror;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * One ecosystem's read-only view of a published generation, mounted under {@code /<prefix>/}.
 *
 * <p>The server resolves the generation once per request and strips {@code /<prefix>/}. A simple
 * route implements {@link #resolve} only: it maps the rest of the path to a {@link Resource} and
 * the server does everything HTTP (conditional requests, ranges, HEAD, the fixed 404). A route that
 * speaks an ecosystem's own protocol overrides {@link #reply} (redirects, content negotiation,
 * JSON errors, streamed bodies), {@link #notFound} and {@link #methodNotAllowed} (errors in the
 * ecosystem's format), and {@link #extraMethods} for the one read-only POST some protocols need.
 *
 * <p>Rules for implementations: use only {@code generation} (never re-read {@code current}); decode
 * the raw path with {@link MirrorPaths} exactly once; never build a file system path from request
 * text except through a strict whitelist (names matched by a fixed pattern); answer anything not
 * found or not acceptable with {@link #notFound}. Implementations must be thread-safe: one
 * instance serves all requests.
 */
public interface MirrorRoute {
  /** The first path segment this route owns: {@code "files"} serves {@code /files/...}. */
  String prefix();

  /**
   * Finds what the request names in {@code generation}; empty means {@link #notFound}. A returned
   * resource is already open and is closed by the server.
   */
  default Optional<Resource> resolve(GenerationView generation, RouteRequest request) throws IOException {
    return Optional.empty();
  }

  /** The whole answer to a GET, HEAD or one of {@link #extraMethods}. */
  default Reply reply(GenerationView generation, RouteRequest request) throws IOException {
    Optional<Resource> resource = resolve(generation, request);
    return resource.isPresent() ? Reply.of(resource.get()) : notFound(request);
  }

  /** The largest request body a route accepts unless it says otherwise: 1 MiB. */
  int DEFAULT_MAX_REQUEST_BODY = 1 << 20;

  /**
   * The largest request body (as sent, before any content decoding) of one of {@link
   * #extraMethods} this route accepts. The server collects the whole body before {@link #reply}
   * runs, so {@link RouteRequest#body()} never blocks on the network; a longer body is answered
   * 413 without calling the route.
   */
  default int maxRequestBodyBytes() {
    return DEFAULT_MAX_REQUEST_BODY;
  }

  /** Methods besides GET and HEAD that {@link #reply} answers (only read-only queries: POST). */
  default Set<String> extraMethods() {
    return Set.of();
  }

  /** The answer for anything not found here, and when nothing is published yet. */
  default Reply notFound(RouteRequest request) {
    return Reply.NOT_FOUND;
  }

  /** The answer to any other method (PUT, DELETE, PATCH, ...): a 405 with {@code Allow}. */
  default Reply methodNotAllowed(RouteRequest request) {
    return Reply.text(405, "method not allowed\n").withHeader("Allow", MirrorHandler.allow(extraMethods()));
  }
}
