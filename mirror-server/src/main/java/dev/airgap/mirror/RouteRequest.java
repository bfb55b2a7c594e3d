package dev.airgap.mirror;

import java.util.List;
import java.util.function.Function;

/**
 * What a {@link MirrorRoute} sees of a request.
 *
 * @param method {@code GET} or {@code HEAD}
 * @param path the path after {@code /<prefix>/}, still percent-encoded exactly as received
 * @param rawQuery the query string as received, or null
 * @param headerLookup all values of a request header by name (case-insensitive); never null
 */
public record RouteRequest(String method, String path, String rawQuery, Function<String, List<String>> headerLookup) {
  /** The first value of a request header, or null. */
  public String header(String name) {
    List<String> values = headerLookup.apply(name);
    return values.isEmpty() ? null : values.get(0);
  }

  public List<String> headers(String name) {
    return headerLookup.apply(name);
  }
}
