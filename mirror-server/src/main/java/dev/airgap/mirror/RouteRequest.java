package dev.airgap.mirror;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Function;

/**
 * What a {@link MirrorRoute} sees of a request.
 *
 * @param method the request method, upper case
 * @param path the path after {@code /<prefix>/}, still percent-encoded exactly as received
 * @param rawQuery the query string as received, or null
 * @param headerLookup all values of a request header by name (case-insensitive); never null
 * @param body the request body as received (no content decoding), already complete in memory (at most
 *     {@link MirrorRoute#maxRequestBodyBytes()}); empty for GET and HEAD
 */
public record RouteRequest(String method, String path, String rawQuery, Function<String, List<String>> headerLookup, InputStream body) {
  public RouteRequest(String method, String path, String rawQuery, Function<String, List<String>> headerLookup) {
    this(method, path, rawQuery, headerLookup, InputStream.nullInputStream());
  }

  /** The first value of a request header, or null. */
  public String header(String name) {
    List<String> values = headerLookup.apply(name);
    return values.isEmpty() ? null : values.get(0);
  }

  public List<String> headers(String name) {
    return headerLookup.apply(name);
  }

  public boolean isHead() {
    return "HEAD".equals(method);
  }

  /**
   * The whole body, at most {@code limit} bytes; a longer body throws {@link BodyTooLarge}, which
   * the server answers with 413.
   */
  public byte[] readBody(int limit) throws IOException {
    byte[] bytes = body.readNBytes(limit + 1);
    if (bytes.length > limit) throw new BodyTooLarge(limit);
    return bytes;
  }

  /** A request body over a route's limit. */
  public static final class BodyTooLarge extends IOException {
    public BodyTooLarge(int limit) {
      super("request body over " + limit + " bytes");
    }
  }
}
