package dev.airgap.mirror;

import dev.airgap.core.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One representation the mirror can send: an open file (a store blob or a file of the generation)
 * or bytes built in memory, with its size, media type and SHA-256 (sent as the strong ETag). Opened
 * by a route before any header is written, so a file that vanished is a clean 404 and a file being
 * served stays readable to the end. Closed by the server.
 */
public final class Resource implements AutoCloseable {
  public static final String OCTET_STREAM = "application/octet-stream";
  /** type/subtype with optional parameters; no CR, LF or other control characters. */
  private static final Pattern MEDIA_TYPE = Pattern.compile(
      "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=(\"[ -~&&[^\"\\\\]]*\"|[A-Za-z0-9!#$&^_.+-]+))*");
  private static final Pattern ENTITY_TAG = Pattern.compile("[A-Za-z0-9._:+-]{1,128}");
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");

  private final FileChannel file;
  private final byte[] bytes;
  private final long size;
  private final String mediaType;
  private final Digest digest;
  private final Map<String, String> extraHeaders;
  private final String entityTag;

  private Resource(FileChannel file, byte[] bytes, long size, String mediaType, Digest digest, Map<String, String> extraHeaders) {
    this(file, bytes, size, mediaType, digest, extraHeaders, null);
  }

  private Resource(FileChannel file, byte[] bytes, long size, String mediaType, Digest digest, Map<String, String> extraHeaders, String entityTag) {
    this.file = file;
    this.bytes = bytes;
    this.size = size;
    this.mediaType = safeMediaType(mediaType);
    this.digest = Objects.requireNonNull(digest, "digest");
    this.extraHeaders = extraHeaders;
    this.entityTag = entityTag;
  }

  /** An open file of {@code size} bytes whose content has SHA-256 {@code digest}. Takes ownership of the channel. */
  public static Resource ofFile(FileChannel file, long size, String mediaType, Digest digest) {
    if (size < 0) throw new IllegalArgumentException("negative size");
    return new Resource(Objects.requireNonNull(file, "file"), null, size, mediaType, digest, Map.of());
  }

  public static Resource ofBytes(byte[] body, String mediaType) {
    return ofBytes(body, mediaType, Digest.of(body));
  }

  public static Resource ofBytes(byte[] body, String mediaType, Digest digest) {
    return new Resource(null, body.clone(), body.length, mediaType, digest, Map.of());
  }

  /**
   * The same resource with one more response header (e.g. {@code Docker-Content-Digest}); the name
   * must be a plain token and the value printable ASCII.
   */
  public Resource withHeader(String name, String value) {
    checkHeader(name, value);
    Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
    headers.put(name, value);
    return new Resource(file, bytes, size, mediaType, digest, java.util.Collections.unmodifiableMap(headers), entityTag);
  }

  /**
   * The same resource with another strong entity tag than the SHA-256 (e.g. a git blob id, which
   * Hugging Face clients expect): the server sends it as {@code ETag} and compares conditionals
   * against it. {@code opaqueTag} is the tag without quotes: 1 to 128 of {@code [A-Za-z0-9._:+-]}.
   */
  public Resource withEntityTag(String opaqueTag) {
    if (opaqueTag == null || !ENTITY_TAG.matcher(opaqueTag).matches()) throw new IllegalArgumentException("bad entity tag");
    return new Resource(file, bytes, size, mediaType, digest, extraHeaders, opaqueTag);
  }

  static void checkHeader(String name, String value) {
    if (!HEADER_NAME.matcher(name).matches()) throw new IllegalArgumentException("bad header name");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) throw new IllegalArgumentException("bad header value");
    }
  }

  public long size() {
    return size;
  }

  public String mediaType() {
    return mediaType;
  }

  public Digest digest() {
    return digest;
  }

  /** The strong entity tag: the quoted SHA-256 hex of the content, unless {@link #withEntityTag} set another. */
  public String etag() {
    return "\"" + (entityTag != null ? entityTag : digest.hex()) + "\"";
  }

  public Map<String, String> extraHeaders() {
    return extraHeaders;
  }

  /** For an in-memory resource, bytes {@code [offset, offset+length)} as a read-only buffer; null for a file. */
  ByteBuffer inMemory(long offset, long length) {
    if (bytes == null) return null;
    return ByteBuffer.wrap(bytes, Math.toIntExact(offset), Math.toIntExact(length)).asReadOnlyBuffer();
  }

  /**
   * Reads file bytes from {@code position} into {@code dst}: the count, or -1 past the end (the
   * file is shorter than promised, which the server turns into an aborted response).
   */
  int read(ByteBuffer dst, long position) throws IOException {
    return file.read(dst, position);
  }

  @Override
  public void close() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException ignored) {
        // read-only channel: nothing was written that could be lost
      }
    }
  }

  static String safeMediaType(String mediaType) {
    if (mediaType == null || mediaType.length() > 255 || !MEDIA_TYPE.matcher(mediaType).matches()) return OCTET_STREAM;
    return mediaType;
  }
}
