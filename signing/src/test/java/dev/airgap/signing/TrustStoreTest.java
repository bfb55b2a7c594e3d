package dev.airgap.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airgap.core.error.TrustException;
import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustStoreTest {
  private static final String TYPE = "application/vnd.airgap.manifest.v1+json";
  private static final byte[] PAYLOAD = "{\"bundle\":1}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;
  private Path keys;
  private Path trust;
  private SigningKey ops;
  private SigningKey sec;
  private SigningKey stranger;

  @BeforeEach
  void setUp() throws IOException {
    keys = tmp.resolve("keys");
    trust = Files.createDirectories(tmp.resolve("trust"));
    ops = SigningKey.load(Ed25519Keys.generate(keys, "ops").privateKey());
    sec = SigningKey.load(Ed25519Keys.generate(keys, "sec").privateKey());
    stranger = SigningKey.load(Ed25519Keys.generate(keys, "stranger").privateKey());
    trustKey("ops");
    trustKey("sec");
  }

  private void trustKey(String name) throws IOException {
    Files.copy(keys.resolve(name + ".pub"), trust.resolve(name + ".pub"));
  }

  private void policy(String json) throws IOException {
    Files.writeString(trust.resolve("policy.json"), json);
  }

  @Test
  void trustedSignatureSatisfiesDefaultPolicy() throws IOException {
    Files.writeString(trust.resolve("README.txt"), "ignored");
    TrustStore store = TrustStore.load(trust);
    assertEquals(TrustPolicy.defaults(), store.policy());
    assertEquals(2, store.keys().size());
    DsseEnvelope env = DsseEnvelope.parse(DsseEnvelope.sign(TYPE, PAYLOAD, List.of(ops)).toJson());
    Verification v = store.verify(env, TYPE);
    assertTrue(v.satisfied());
    assertEquals(List.of(new TrustedSigner(ops.keyId(), "ops")), v.validSigners());
    assertEquals(1, v.threshold());
  }

  @Test
  void tamperedPayloadIsNotSatisfied() {
    TrustStore store = TrustStore.load(trust);
    DsseEnvelope env = DsseEnvelope.sign(TYPE, PAYLOAD, List.of(ops));
    byte[] tampered = PAYLOAD.clone();
    tampered[2] ^= 1;
    DsseEnvelope bad = new DsseEnvelope(TYPE, tampered, env.signatures());
    Verification v = store.evaluate(bad);
    assertFalse(v.satisfied());
    assertEquals(List.of(ops.keyId().value()), v.invalidKeyIds());
    assertTrue(v.validSigners().isEmpty());
    TrustException e = assertThrows(TrustException.class, () -> store.verify(bad, TYPE));
    assertTrue(e.getMessage().contains("invalid: " + ops.keyId().shortForm()), e.getMessage());
    // Changing the payload type also breaks the signature, because PAE covers it.
    assertFalse(store.evaluate(new DsseEnvelope("other/type", PAYLOAD, env.signatures())).satisfied());
  }

  @Test
  void unknownSignerIsReportedAndDoesNotCount() throws IOException {
    policy("{\"threshold\": 2}");
    TrustStore store = TrustStore.load(trust);
    DsseEnvelope env = DsseEnvelope.sign(TYPE, PAYLOAD, List.of(ops, stranger));
    Verification v = store.evaluate(env);
    assertFalse(v.satisfied());
    assertEquals(List.of(stranger.keyId().value()), v.unknownKeyIds());
    TrustException e = assertThrows(TrustException.class, () -> store.verify(env, TYPE));
    assertEquals("manifest.dsse.json: trust policy needs 2 distinct trusted signature(s), found 1 (valid: ops; unknown: "
        + stranger.keyId().shortForm() + "…; invalid: none)", e.getMessage());
  }

  @Test
  void sameKeySigningTwiceCountsOnce() throws IOException {
    policy("{\"threshold\": 2}");
    TrustStore store = TrustStore.load(trust);
    DsseEnvelope once = DsseEnvelope.sign(TYPE, PAYLOAD, List.of(ops));
    DsseSignature s = once.signatures().get(0);
    // Ed25519 is deterministic, so also add a copy under a different keyid hint.
    DsseEnvelope twice = new DsseEnvelope(TYPE, PAYLOAD, List.of(s, s, new DsseSignature("", s.sig())));
    Verification v = store.evaluate(twice);
    assertEquals(1, v.validSigners().size());
    assertFalse(v.satisfied());
    assertThrows(TrustException.class, () -> store.verify(twice, TYPE));
    assertEquals(2, store.verify(DsseEnvelope.sign(TYPE, PAYLOAD, List.of(ops, sec)), TYPE).validSigners().size());
  }

  @Test
  void keyidIsOnlyAHint() {
    TrustStore store = TrustStore.load(trust);
    DsseSignature real = DsseEnvelope.sign(TYPE, PAYLOAD, List.of(sec)).signatures().get(0);
    DsseEnvelope env = new DsseEnvelope(TYPE, PAYLOAD, List.of(new DsseSignature("some-other-hint", real.sig())));
    Verification v = store.verify(env, TYPE);
    assertEquals(List.of(new TrustedSigner(sec.keyId(), "sec")), v.validSigners());
    assertTrue(v.unknownKeyIds().isEmpty());
  }

  @Test
  void wrongPayloadTypeAndNoSignaturesAreTrustErrors() {
    TrustStore store = TrustStore.load(trust);
    DsseEnvelope env = DsseEnvelope.sign("text/plain", PAYLOAD, List.of(ops));
    TrustException e = assertThrows(TrustException.class, () -> store.verify(env, TYPE));
    assertTrue(e.getMessage().contains("payloadType"), e.getMessage());
    assertThrows(TrustException.class, () -> store.verify(new DsseEnvelope(TYPE, PAYLOAD, List.of()), TYPE));
  }

  @Test
  void untrustedKeyidsAreSanitisedInMessages() {
    TrustStore store = TrustStore.load(trust);
    DsseEnvelope env = new DsseEnvelope(TYPE, PAYLOAD, List.of(new DsseSignature("evil\nline", new byte[64])));
    TrustException e = assertThrows(TrustException.class, () -> store.verify(env, TYPE));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void policyParsing() throws IOException {
    policy("{\"threshold\": 2, \"allowNoScan\": false, \"refusePickle\": true}");
    assertEquals(new TrustPolicy(2, false, true), TrustStore.load(trust).policy());
    policy("{}");
    assertEquals(TrustPolicy.defaults(), TrustStore.load(trust).policy());
  }

  @Test
  void policyWithUnknownFieldIsUsageError() throws IOException {
    policy("{\"threshold\": 1, \"treshold\": 2}");
    UsageException e = assertThrows(UsageException.class, () -> TrustStore.load(trust));
    assertTrue(e.getMessage().contains("policy.json") && e.getMessage().contains("treshold"), e.getMessage());
  }

  @Test
  void badPoliciesAreUsageErrors() throws IOException {
    for (String json : new String[] {"", "[]", "{\"threshold\": 0}", "{\"threshold\": \"2\"}", "{\"threshold\": 1.5}",
        "{\"threshold\": 3}", "{\"allowNoScan\": \"yes\"}", "{\"threshold\": 1, \"threshold\": 2}", "{} {}"}) {
      policy(json);
      UsageException e = assertThrows(UsageException.class, () -> TrustStore.load(trust), json);
      assertTrue(e.getMessage().contains("policy.json"), e.getMessage());
    }
  }

  @Test
  void duplicateKeyFilesCountOnceTowardsThreshold() throws IOException {
    Files.copy(keys.resolve("ops.pub"), trust.resolve("ops-copy.pub"));
    Files.delete(trust.resolve("sec.pub"));
    policy("{\"threshold\": 2}");
    UsageException e = assertThrows(UsageException.class, () -> TrustStore.load(trust));
    assertTrue(e.getMessage().contains("policy.json"), e.getMessage());
    policy("{\"threshold\": 1}");
    TrustStore store = TrustStore.load(trust);
    assertEquals(2, store.keys().size());
    assertEquals(1, store.verify(DsseEnvelope.sign(TYPE, PAYLOAD, List.of(ops)), TYPE).validSigners().size());
  }

  @Test
  void storeErrorsNameTheFile() throws IOException {
    UsageException missing = assertThrows(UsageException.class, () -> TrustStore.load(tmp.resolve("nope")));
    assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(empty.resolve("policy.json"), "{}");
    UsageException none = assertThrows(UsageException.class, () -> TrustStore.load(empty));
    assertTrue(none.getMessage().contains("empty"), none.getMessage());
    Files.writeString(trust.resolve("broken.pub"), "not a key");
    UsageException broken = assertThrows(UsageException.class, () -> TrustStore.load(trust));
    assertTrue(broken.getMessage().contains("broken.pub"), broken.getMessage());
  }
}
