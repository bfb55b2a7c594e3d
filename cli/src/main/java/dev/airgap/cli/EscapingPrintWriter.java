package dev.airgap.cli;

import dev.airgap.core.Printable;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The CLI's output streams: every argument of {@code printf}/{@code format} that is not a number is escaped with
 * {@link Printable#escape(Object)}, so a path, name or property from a bundle or an upstream cannot forge a line or
 * hide characters from the reader. The format strings themselves (the CLI's own text) and {@code print}/{@code println}
 * (picocli's help) pass unchanged.
 */
final class EscapingPrintWriter extends PrintWriter {
  private EscapingPrintWriter(PrintWriter out) {
    super(out, true);
  }

  static PrintWriter of(PrintWriter out) {
    return out instanceof EscapingPrintWriter ? out : new EscapingPrintWriter(out);
  }

  @Override
  public PrintWriter format(String format, Object... args) {
    return super.format(format, escaped(args));
  }

  @Override
  public PrintWriter format(Locale l, String format, Object... args) {
    return super.format(l, format, escaped(args));
  }

  private static Object[] escaped(Object[] args) {
    if (args == null) return null;
    Object[] out = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      out[i] = a == null || a instanceof Number || a instanceof Boolean || a instanceof Character ? a : Printable.escape(a);
    }
    return out;
  }
}
