package dev.airgap.signing;

import dev.airgap.core.error.EnvironmentException;
import dev.airgap.core.error.UsageException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM reading and writing shared by the key classes; all failures name the file. */
final class Pem {
  /** Key files are tiny; the cap keeps a mistaken path (a disk image, /dev/zero) from being slurped. */
  private static final long MAX_KEY_FILE_BYTES = 64 * 1024;

  private Pem() {}

  static String encode(String type, byte[] der) {
    StringWriter out = new StringWriter();
    try (PemWriter writer = new PemWriter(out)) {
      writer.writeObject(new PemObject(type, der));
    } catch (IOException e) {
      throw new IllegalStateException("writing PEM to memory failed", e);
    }
    return out.toString();
  }

  /** Reads the single PEM object of {@code expectedType} from {@code file}, returning its DER bytes. */
  static byte[] readSingle(Path file, String expectedType, String what) {
    String text = readText(file, what);
    try (PemReader reader = new PemReader(new StringReader(text))) {
      PemObject object = reader.readPemObject();
      if (object == null) {
        throw bad(file, what, "no PEM block found (expected -----BEGIN " + expectedType + "-----)");
      }
      if (!expectedType.equals(object.getType())) {
        throw bad(file, what, "PEM block is '" + object.getType() + "', expected '" + expectedType + "'");
      }
      // A second block would make it ambiguous which key the file means.
      if (reader.readPemObject() != null) {
        throw bad(file, what, "more than one PEM block");
      }
      return object.getContent();
    } catch (IOException | RuntimeException e) {
      if (e instanceof UsageException u) throw u;
      // PemReader reports a missing END line or bad base64 as IOException/DecoderException.
      throw bad(file, what, "malformed PEM: " + e.getMessage(), e);
    }
  }

  private static String readText(Path file, String what) {
    try {
      if (!Files.isRegularFile(file)) {
        if (!Files.exists(file)) throw new UsageException(file + ": " + what + " not found");
        throw new UsageException(file + ": " + what + " is not a regular file");
      }
      if (Files.size(file) > MAX_KEY_FILE_BYTES) {
        throw bad(file, what, "file is larger than " + MAX_KEY_FILE_BYTES + " bytes");
      }
      return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new UsageException(file + ": " + what + " not found", e);
    } catch (IOException e) {
      throw EnvironmentException.io(file, e);
    }
  }

  static UsageException bad(Path file, String what, String problem) {
    return new UsageException(file + ": not a valid " + what + ": " + problem);
  }

  static UsageException bad(Path file, String what, String problem, Throwable cause) {
    return new UsageException(file + ": not a valid " + what + ": " + problem, cause);
  }
}
