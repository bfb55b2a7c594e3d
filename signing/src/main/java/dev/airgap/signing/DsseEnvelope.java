package dev.airgap.signing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airgap.core.Json;
import dev.airgap.core.bundle.BundleLayout;
import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A DSSE v1 envelope: {@code {"payloadType", "payload", "signatures": [{"keyid", "sig"}]}} with
 * base64 payload and signatures. Immutable; signing returns a new envelope.
 */
public record DsseEnvelope(String payloadType, byte[] payload, List<DsseSignature> signatures) {
  /**
   * Far above any real threshold; bounds the verification work (signatures x trusted keys) a hostile
   * envelope can cause.
   */
  public static final int MAX_SIGNATURES = 256;

  private static final String WHERE = BundleLayout.ENVELOPE;
  private static final Set<String> ENVELOPE_FIELDS = Set.of("payloadType", "payload", "signatures");
  private static final Set<String> SIGNATURE_FIELDS = Set.of("keyid", "sig");

  public DsseEnvelope {
    Objects.requireNonNull(payloadType, "payloadType");
    payload = Objects.requireNonNull(payload, "payload").clone();
    signatures = List.copyOf(signatures);
  }

  /** A copy, so the record stays immutable. */
  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /**
   * Parses an envelope strictly: duplicate keys, unknown fields, trailing content, wrong types and
   * bad base64 are all errors. Standard and URL-safe base64 are both accepted, as DSSE allows.
   *
   * @throws IntegrityException naming {@code manifest.dsse.json} on any problem
   */
  public static DsseEnvelope parse(byte[] json) {
    JsonNode root;
    try {
      root = Json.strict().readTree(json);
    } catch (IOException e) {
      throw malformed("not valid JSON: " + firstLine(e), e);
    }
    if (root == null || !root.isObject()) {
      throw malformed("expected a JSON object");
    }
    checkFields(root, ENVELOPE_FIELDS, "envelope");
    String payloadType = requiredText(root, "payloadType", "envelope");
    byte[] payload = decodeBase64(requiredText(root, "payload", "envelope"), "payload");
    JsonNode sigs = root.get("signatures");
    if (sigs == null || !sigs.isArray()) {
      throw malformed("envelope: 'signatures' must be an array");
    }
    if (sigs.size() > MAX_SIGNATURES) {
      throw malformed("envelope has " + sigs.size() + " signatures, more than the limit of " + MAX_SIGNATURES);
    }
    List<DsseSignature> signatures = new ArrayList<>(sigs.size());
    for (int i = 0; i < sigs.size(); i++) {
      JsonNode s = sigs.get(i);
      String where = "signatures[" + i + "]";
      if (!s.isObject()) {
        throw malformed(where + ": expected a JSON object");
      }
      checkFields(s, SIGNATURE_FIELDS, where);
      // keyid is optional in DSSE; an absent one is the same as an empty hint.
      JsonNode keyid = s.get("keyid");
      if (keyid != null && !keyid.isTextual()) {
        throw malformed(where + ": 'keyid' must be a string");
      }
      byte[] sig = decodeBase64(requiredText(s, "sig", where), where + ".sig");
      signatures.add(new DsseSignature(keyid == null ? "" : keyid.textValue(), sig));
    }
    return new DsseEnvelope(payloadType, payload, signatures);
  }

  /** Pretty-printed JSON with standard base64 and a trailing newline. */
  public byte[] toJson() {
    // Streamed, not built as a tree or String: the payload of a bundle with many files is tens of
    // MB, and its base64 text would otherwise be held two or three times over.
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(payload.length / 3 * 4 + 1024);
    try (com.fasterxml.jackson.core.JsonGenerator g = Json.strict().getFactory().createGenerator(out)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("payloadType", payloadType);
      g.writeFieldName("payload");
      g.writeBinary(com.fasterxml.jackson.core.Base64Variants.MIME_NO_LINEFEEDS, payload, 0, payload.length);
      g.writeArrayFieldStart("signatures");
      for (DsseSignature s : signatures) {
        g.writeStartObject();
        g.writeStringField("keyid", s.keyid());
        g.writeStringField("sig", Base64.getEncoder().encodeToString(s.sig()));
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("serialising the envelope failed", e);
    }
    out.write('\n');
    return out.toByteArray();
  }


  /**
   * A new envelope with one more signature, by {@code key}, over PAE(payloadType, payload).
   *
   * @throws UsageException if {@code key} has already signed this envelope
   */
  public DsseEnvelope withSignature(SigningKey key) {
    String keyid = key.keyId().value();
    for (DsseSignature s : signatures) {
      if (s.keyid().equals(keyid)) {
        throw new UsageException("key " + key.keyId().shortForm() + " has already signed this envelope");
      }
    }
    List<DsseSignature> more = new ArrayList<>(signatures);
    more.add(new DsseSignature(keyid, key.sign(Dsse.pae(payloadType, payload))));
    return new DsseEnvelope(payloadType, payload, more);
  }

  /**
   * An envelope over {@code payload} signed by each of {@code keys}.
   *
   * @throws UsageException if {@code keys} is empty or names the same key twice
   */
  public static DsseEnvelope sign(String payloadType, byte[] payload, List<SigningKey> keys) {
    if (keys.isEmpty()) {
      throw new UsageException("no signing key given");
    }
    DsseEnvelope envelope = new DsseEnvelope(payloadType, payload, List.of());
    for (SigningKey key : keys) {
      envelope = envelope.withSignature(key);
    }
    return envelope;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DsseEnvelope other
        && payloadType.equals(other.payloadType)
        && Arrays.equals(payload, other.payload)
        && signatures.equals(other.signatures);
  }

  @Override
  public int hashCode() {
    return Objects.hash(payloadType, Arrays.hashCode(payload), signatures);
  }

  /** Payload is summarised by size: it may be large. */
  @Override
  public String toString() {
    return "DsseEnvelope[payloadType=" + payloadType + ", payload=" + payload.length + " bytes, signatures=" + signatures + "]";
  }

  private static void checkFields(JsonNode node, Set<String> allowed, String where) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw malformed(where + ": unknown field '" + Messages.clean(name) + "'");
      }
    }
  }

  private static String requiredText(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw malformed(where + ": missing '" + field + "'");
    }
    if (!value.isTextual()) {
      throw malformed(where + ": '" + field + "' must be a string");
    }
    return value.textValue();
  }

  private static byte[] decodeBase64(String text, String field) {
    // DSSE lets producers use either alphabet; the URL-safe characters pick the decoder, and a mix
    // of both alphabets fails in either.
    boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
    try {
      return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
    } catch (IllegalArgumentException e) {
      throw malformed(field + ": invalid base64: " + e.getMessage(), e);
    }
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private static IntegrityException malformed(String what) {
    return IntegrityException.malformed(WHERE, what);
  }

  private static IntegrityException malformed(String what, Throwable cause) {
    return IntegrityException.malformed(WHERE, what, cause);
  }
}
