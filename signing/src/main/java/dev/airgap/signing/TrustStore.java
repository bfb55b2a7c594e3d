package dev.airgap.signing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airgap.core.Json;
import dev.airgap.core.bundle.BundleLayout;
import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.TrustException;
import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A directory of trusted Ed25519 public keys ({@code *.pub}) plus an optional {@code policy.json}.
 * Decides whether a DSSE envelope carries enough distinct trusted signatures.
 */
public final class TrustStore {
  private static final long MAX_POLICY_BYTES = 64 * 1024;
  private static final Set<String> POLICY_FIELDS = Set.of("threshold", "allowNoScan", "refusePickle");

  private final List<TrustedKey> keys;
  /** One entry per distinct key (first file by name wins), so a key copied twice counts once. */
  private final Map<KeyId, TrustedKey> distinct;
  private final TrustPolicy policy;

  private TrustStore(List<TrustedKey> keys, TrustPolicy policy) {
    this.keys = List.copyOf(keys);
    Map<KeyId, TrustedKey> byId = new LinkedHashMap<>();
    for (TrustedKey k : keys) {
      byId.putIfAbsent(k.keyId(), k);
    }
    this.distinct = byId;
    this.policy = policy;
  }

  /**
   * Loads every {@code *.pub} in {@code dir} and {@code policy.json} if present; other files are
   * ignored.
   *
   * @throws UsageException naming the offending file or directory
   * @throws EnvironmentException on I/O failure
   */
  public static TrustStore load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new UsageException(dir + ": trust store " + (Files.exists(dir) ? "is not a directory" : "does not exist"));
    }
    List<Path> pubFiles = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + Ed25519Keys.PUBLIC_SUFFIX)) {
      for (Path p : entries) {
        pubFiles.add(p);
      }
    } catch (IOException e) {
      throw EnvironmentException.io(dir, e);
    }
    if (pubFiles.isEmpty()) {
      throw new UsageException(dir + ": trust store has no trusted keys (*.pub files)");
    }
    // Sorted so the display name chosen for a duplicated key does not depend on directory order.
    pubFiles.sort(Comparator.comparing(p -> p.getFileName().toString()));
    List<TrustedKey> keys = new ArrayList<>(pubFiles.size());
    for (Path p : pubFiles) {
      keys.add(TrustedKey.load(p));
    }

    Path policyFile = dir.resolve(TrustPolicy.FILE_NAME);
    TrustPolicy policy = Files.exists(policyFile) ? parsePolicy(policyFile) : TrustPolicy.defaults();
    TrustStore store = new TrustStore(keys, policy);
    if (policy.threshold() > store.distinct.size()) {
      throw new UsageException(policyFile + ": threshold " + policy.threshold() + " exceeds the "
          + store.distinct.size() + " distinct trusted key(s) in " + dir + "; it could never be met");
    }
    return store;
  }

  /** Every key file loaded, sorted by file name (a key present in two files appears twice). */
  public List<TrustedKey> keys() {
    return keys;
  }

  public TrustPolicy policy() {
    return policy;
  }

  /** Checks every signature over PAE(payloadType, payload); never throws on bad signatures. */
  public Verification evaluate(DsseEnvelope env) {
    byte[] pae = Dsse.pae(env.payloadType(), env.payload());
    Map<KeyId, TrustedSigner> valid = new LinkedHashMap<>();
    Set<String> unknown = new LinkedHashSet<>();
    Set<String> invalid = new LinkedHashSet<>();
    for (DsseSignature s : env.signatures()) {
      byte[] sig = s.sig();
      TrustedKey named = KeyId.isKeyId(s.keyid()) ? distinct.get(new KeyId(s.keyid())) : null;
      if (named != null) {
        if (named.verify(pae, sig)) {
          valid.putIfAbsent(named.keyId(), signer(named));
        } else {
          invalid.add(s.keyid());
        }
        continue;
      }
      // keyid is only an unauthenticated hint in DSSE: a trusted key may have signed under another
      // (or no) keyid, so try them all before calling the signer unknown.
      TrustedKey found = null;
      for (TrustedKey k : distinct.values()) {
        if (k.verify(pae, sig)) {
          found = k;
          break;
        }
      }
      if (found != null) {
        valid.putIfAbsent(found.keyId(), signer(found));
      } else {
        unknown.add(s.keyid());
      }
    }
    return new Verification(new ArrayList<>(valid.values()), new ArrayList<>(unknown),
        new ArrayList<>(invalid), policy.threshold());
  }

  /**
   * Requires the envelope to have {@code expectedPayloadType} and to satisfy the threshold.
   *
   * @throws TrustException with a one-line reason otherwise
   */
  public Verification verify(DsseEnvelope env, String expectedPayloadType) {
    if (!env.payloadType().equals(expectedPayloadType)) {
      throw new TrustException(BundleLayout.ENVELOPE + ": payloadType '" + Messages.clean(env.payloadType())
          + "' is not the expected '" + expectedPayloadType + "'");
    }
    if (env.signatures().isEmpty()) {
      throw new TrustException(BundleLayout.ENVELOPE + ": envelope carries no signatures");
    }
    Verification v = evaluate(env);
    if (!v.satisfied()) {
      throw thresholdNotMet(v);
    }
    return v;
  }

  private static TrustException thresholdNotMet(Verification v) {
    TrustException base = TrustException.thresholdNotMet(BundleLayout.ENVELOPE, v.threshold(), v.validSigners().size());
    return new TrustException(base.getMessage() + " (" + v.summary() + ")");
  }

  private static TrustedSigner signer(TrustedKey k) {
    return new TrustedSigner(k.keyId(), k.name());
  }

  private static TrustPolicy parsePolicy(Path file) {
    JsonNode root;
    try {
      if (!Files.isRegularFile(file)) {
        throw new UsageException(file + ": is not a regular file");
      }
      if (Files.size(file) > MAX_POLICY_BYTES) {
        throw new UsageException(file + ": larger than " + MAX_POLICY_BYTES + " bytes");
      }
      byte[] bytes = Files.readAllBytes(file);
      try {
        root = Json.strict().readTree(bytes);
      } catch (IOException e) {
        String m = String.valueOf(e.getMessage());
        throw new UsageException(file + ": invalid JSON: " + (m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m), e);
      }
    } catch (UsageException e) {
      throw e;
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
    if (root == null || !root.isObject()) {
      throw new UsageException(file + ": expected a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!POLICY_FIELDS.contains(name)) {
        throw new UsageException(file + ": unknown field '" + Messages.clean(name)
            + "' (allowed: threshold, allowNoScan, refusePickle)");
      }
    }
    TrustPolicy d = TrustPolicy.defaults();
    int threshold = d.threshold();
    JsonNode t = root.get("threshold");
    if (t != null) {
      // Only a JSON integer: "2" or 2.0 suggests a hand edit gone wrong, not a policy.
      if (!t.isIntegralNumber() || !t.canConvertToInt()) {
        throw new UsageException(file + ": 'threshold' must be an integer");
      }
      threshold = t.intValue();
      if (threshold < 1) {
        throw new UsageException(file + ": 'threshold' must be at least 1, got " + threshold);
      }
    }
    return new TrustPolicy(threshold, bool(root, "allowNoScan", d.allowNoScan(), file),
        bool(root, "refusePickle", d.refusePickle(), file));
  }

  private static boolean bool(JsonNode root, String field, boolean fallback, Path file) {
    JsonNode v = root.get(field);
    if (v == null) return fallback;
    if (!v.isBoolean()) {
      throw new UsageException(file + ": '" + field + "' must be true or false");
    }
    return v.booleanValue();
  }
}
