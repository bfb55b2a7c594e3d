package dev.airgap.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.error.IntegrityException;
import dev.airgap.core.error.UsageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DsseEnvelopeTest {
  private static final String TYPE = "application/vnd.airgap.manifest.v1+json";
  @TempDir Path tmp;
  private SigningKey alice;
  private SigningKey bob;

  @BeforeEach
  void keys() {
    alice = SigningKey.load(Ed25519Keys.generate(tmp, "alice").privateKey());
    bob = SigningKey.load(Ed25519Keys.generate(tmp, "bob").privateKey());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void paeKnownAnswerFromDsseSpec() {
    assertEquals("DSSEv1 29 http://example.com/HelloWorld 11 hello world",
        new String(Dsse.pae("http://example.com/HelloWorld", utf8("hello world")), StandardCharsets.UTF_8));
    assertEquals("DSSEv1 0  0 ", new String(Dsse.pae("", new byte[0]), StandardCharsets.UTF_8));
    // Lengths are byte counts, not char counts.
    assertEquals("DSSEv1 2 é 0 ", new String(Dsse.pae("é", new byte[0]), StandardCharsets.UTF_8));
  }

  @Test
  void jsonRoundTripAndShape() {
    DsseEnvelope env = DsseEnvelope.sign(TYPE, utf8("{\"a\":1}"), List.of(alice, bob));
    assertEquals(2, env.signatures().size());
    assertEquals(alice.keyId().value(), env.signatures().get(0).keyid());
    byte[] json = env.toJson();
    String text = new String(json, StandardCharsets.UTF_8);
    assertTrue(text.endsWith("}\n"), text);
    assertTrue(text.contains("\"payloadType\"") && text.contains("\"keyid\"") && text.contains("\"sig\""), text);
    assertTrue(text.contains("\n  "), "pretty printed: " + text);
    DsseEnvelope back = DsseEnvelope.parse(json);
    assertEquals(env, back);
    assertEquals(env.hashCode(), back.hashCode());
    assertArrayEquals(utf8("{\"a\":1}"), back.payload());
  }

  @Test
  void withSignatureRefusesSameKeyTwiceAndSignRefusesEmpty() {
    DsseEnvelope env = DsseEnvelope.sign(TYPE, utf8("x"), List.of(alice));
    assertThrows(UsageException.class, () -> env.withSignature(alice));
    assertEquals(2, env.withSignature(bob).signatures().size());
    assertEquals(1, env.signatures().size(), "original unchanged");
    assertThrows(UsageException.class, () -> DsseEnvelope.sign(TYPE, utf8("x"), List.of(alice, alice)));
    assertThrows(UsageException.class, () -> DsseEnvelope.sign(TYPE, utf8("x"), List.of()));
  }

  @Test
  void payloadIsDefensivelyCopied() {
    byte[] payload = utf8("abc");
    DsseEnvelope env = new DsseEnvelope(TYPE, payload, List.of());
    payload[0] = 'z';
    env.payload()[1] = 'z';
    assertArrayEquals(utf8("abc"), env.payload());
  }

  @Test
  void acceptsUrlSafeAndUnpaddedBase64() {
    byte[] payload = new byte[] {(byte) 0xfb, (byte) 0xff, (byte) 0xfe, 1};
    String url = Base64.getUrlEncoder().withoutPadding().encodeToString(payload);
    assertTrue(url.contains("-") || url.contains("_"), url);
    String json = "{\"payloadType\":\"t\",\"payload\":\"" + url + "\",\"signatures\":[{\"keyid\":\"k\",\"sig\":\"" + url + "\"}]}";
    DsseEnvelope env = DsseEnvelope.parse(utf8(json));
    assertArrayEquals(payload, env.payload());
    assertArrayEquals(payload, env.signatures().get(0).sig());
    // keyid is optional in DSSE.
    DsseEnvelope noKeyid = DsseEnvelope.parse(utf8("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"AA==\"}]}"));
    assertEquals("", noKeyid.signatures().get(0).keyid());
  }

  @Test
  void duplicateKeyInEnvelopeIsIntegrityError() {
    String json = "{\"payloadType\":\"t\",\"payload\":\"AA==\",\"payload\":\"AQ==\",\"signatures\":[]}";
    IntegrityException e = assertThrows(IntegrityException.class, () -> DsseEnvelope.parse(utf8(json)));
    assertTrue(e.getMessage().startsWith("manifest.dsse.json: "), e.getMessage());
    String dupInSig = "{\"payloadType\":\"t\",\"payload\":\"AA==\",\"signatures\":[{\"keyid\":\"a\",\"keyid\":\"b\",\"sig\":\"AA==\"}]}";
    assertThrows(IntegrityException.class, () -> DsseEnvelope.parse(utf8(dupInSig)));
  }

  @Test
  void strictParsingRejectsMalformedEnvelopes() {
    String[] bad = {
      "",
      "[]",
      "null",
      "{\"payloadType\":\"t\",\"payload\":\"AA==\",\"signatures\":[]} {}",
      "{\"payloadType\":\"t\",\"payload\":\"AA==\",\"signatures\":[],\"extra\":1}",
      "{\"payloadType\":\"t\",\"payload\":\"AA==\",\"signatures\":[{\"sig\":\"AA==\",\"cert\":\"x\"}]}",
      "{\"payload\":\"AA==\",\"signatures\":[]}",
      "{\"payloadType\":\"t\",\"signatures\":[]}",
      "{\"payloadType\":\"t\",\"payload\":\"AA==\"}",
      "{\"payloadType\":1,\"payload\":\"AA==\",\"signatures\":[]}",
      "{\"payloadType\":\"t\",\"payload\":\"A A==\",\"signatures\":[]}",
      "{\"payloadType\":\"t\",\"payload\":\"+-==\",\"signatures\":[]}",
      "{\"payloadType\":\"t\",\"payload\":\"AA==\",\"signatures\":{}}",
      "{\"payloadType\":\"t\",\"payload\":\"AA==\",\"signatures\":[\"x\"]}",
      "{\"payloadType\":\"t\",\"payload\":\"AA==\",\"signatures\":[{\"keyid\":\"k\"}]}",
      "{\"payloadType\":\"t\",\"payload\":\"AA==\",\"signatures\":[{\"keyid\":5,\"sig\":\"AA==\"}]}",
      "{\"payloadType\":\"t\",\"payload\":\"AA==\",\"signatures\":[{\"keyid\":\"k\",\"sig\":\"@@\"}]}",
    };
    for (String json : bad) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> DsseEnvelope.parse(utf8(json)), json);
      assertTrue(e.getMessage().startsWith("manifest.dsse.json: "), e.getMessage());
    }
  }

  @Test
  void tooManySignaturesRejected() {
    StringBuilder sb = new StringBuilder("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[");
    for (int i = 0; i <= DsseEnvelope.MAX_SIGNATURES; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"sig\":\"AA==\"}");
    }
    sb.append("]}");
    assertThrows(IntegrityException.class, () -> DsseEnvelope.parse(utf8(sb.toString())));
  }

  @Test
  void signatureRecordValueSemantics() {
    assertEquals(new DsseSignature("k", new byte[] {1, 2}), new DsseSignature("k", new byte[] {1, 2}));
    assertNotEquals(new DsseSignature("k", new byte[] {1, 2}), new DsseSignature("k", new byte[] {1, 3}));
    assertEquals(new DsseSignature("k", new byte[] {1}).hashCode(), new DsseSignature("k", new byte[] {1}).hashCode());
  }
}
