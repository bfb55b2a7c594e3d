package dev.airgap.core.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.airgap.core.Json;
import dev.airgap.core.error.IntegrityException;
import java.io.IOException;

/** Reads and writes manifest JSON (UTF-8). Reading is strict and validates. */
public final class ManifestCodec {
  public static final String MEDIA_TYPE = "application/vnd.airgap.manifest.v1+json";

  private ManifestCodec() {}

  public static byte[] encode(Manifest manifest) {
    try {
      byte[] body = Json.strict().writeValueAsBytes(manifest);
      byte[] withNewline = java.util.Arrays.copyOf(body, body.length + 1);
      withNewline[body.length] = '\n';
      return withNewline;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode manifest", e);
    }
  }

  /** Parses and validates; every failure is an {@link IntegrityException} naming the manifest. */
  public static Manifest decode(byte[] bytes) {
    Manifest m;
    try {
      m = ManifestReader.read(bytes);
    } catch (IntegrityException e) {
      throw e;
    } catch (IOException e) {
      Throwable root = e;
      while (root.getCause() != null && root != root.getCause()) {
        if (root.getCause() instanceof IntegrityException ie) throw ie;
        root = root.getCause();
      }
      String msg = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
      throw IntegrityException.malformed("manifest.json", "not a valid manifest: " + firstLine(msg), e);
    }
    return m.validate();
  }

  private static String firstLine(String s) {
    if (s == null) return "unknown error";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
