package dev.airgap.mirror;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a route answers. Three shapes: a {@link Resource} (the server adds length, ETag,
 * conditionals, Range and HEAD), a small fixed response built in memory (errors in an ecosystem's
 * own format, redirects, generated JSON that needs no Range), or a streamed body of unknown length
 * written by the route (git's upload-pack result). Header names and values are checked like
 * {@link Resource#withHeader}.
 */
public sealed interface Reply {
  /** Serve a resource with full HTTP file semantics. */
  static Reply of(Resource resource) {
    return new Serve(resource);
  }

  /** A fixed response; {@code body} is sent with Content-Length (omitted for HEAD). */
  static Fixed fixed(int status, String mediaType, byte[] body) {
    return new Fixed(status, Resource.safeMediaType(mediaType), body.clone(), Map.of());
  }

  static Fixed text(int status, String body) {
    return fixed(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  static Fixed json(int status, byte[] body) {
    return fixed(status, "application/json", body);
  }

  /** A redirect (301, 302, 307 or 308) to a path on this server or an absolute URL. */
  static Fixed redirect(int status, String location) {
    if (status != 301 && status != 302 && status != 307 && status != 308) throw new IllegalArgumentException("not a redirect status: " + status);
    return text(status, "moved\n").withHeader("Location", location);
  }

  /** A streamed body: the route writes it after the headers, with no Content-Length. */
  static Streamed stream(int status, String mediaType, BodyWriter writer) {
    return new Streamed(status, Resource.safeMediaType(mediaType), Objects.requireNonNull(writer), Map.of());
  }

  /** The server's default 404. */
  Fixed NOT_FOUND = text(404, MirrorHandler.NOT_FOUND);

  record Serve(Resource resource) implements Reply {
    public Serve {
      Objects.requireNonNull(resource, "resource");
    }
  }

  record Fixed(int status, String mediaType, byte[] body, Map<String, String> headers) implements Reply {
    public Fixed {
      if (status < 200 || status > 599) throw new IllegalArgumentException("status " + status);
    }

    public Fixed withHeader(String name, String value) {
      return new Fixed(status, mediaType, body, Reply.addHeader(headers, name, value));
    }
  }

  record Streamed(int status, String mediaType, BodyWriter writer, Map<String, String> headers) implements Reply {
    public Streamed withHeader(String name, String value) {
      return new Streamed(status, mediaType, writer, Reply.addHeader(headers, name, value));
    }
  }

  /** Writes a streamed body; must not close {@code out}. */
  @FunctionalInterface
  interface BodyWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  private static Map<String, String> addHeader(Map<String, String> headers, String name, String value) {
    Resource.checkHeader(name, value);
    Map<String, String> m = new LinkedHashMap<>(headers);
    m.put(name, value);
    return java.util.Collections.unmodifiableMap(m);
  }
}
