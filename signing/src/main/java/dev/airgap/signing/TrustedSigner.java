package dev.airgap.signing;

/** A trusted key that made a valid signature; {@code name} is its trust-store file name, for display. */
public record TrustedSigner(KeyId keyId, String name) {}
