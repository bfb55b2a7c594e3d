package dev.airgap.signing;

import java.nio.file.Path;

/** The files written by {@link Ed25519Keys#generate} and the id of the new key. */
public record GeneratedKey(Path privateKey, Path publicKey, KeyId keyId) {}
