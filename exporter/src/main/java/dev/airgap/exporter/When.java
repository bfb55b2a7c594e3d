package dev.airgap.exporter;

import dev.airgap.core.error.UsageException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses an expiry: a duration from now ({@code 30d}, {@code 12h}, {@code 90m}), an ISO instant or a date (UTC midnight). */
public final class When {
  private static final Pattern RELATIVE = Pattern.compile("(\\d{1,6})([dhm])");

  private When() {}

  public static Instant parse(String text, Instant now) {
    Matcher m = RELATIVE.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "d" -> Duration.ofDays(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofMinutes(n);
      };
      return now.plus(d);
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException ignored) {
      // try a plain date next
    }
    try {
      return LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new UsageException("--expires: cannot read '" + text + "' (use e.g. 30d, 12h, 2027-01-31 or 2027-01-31T00:00:00Z)");
    }
  }
}
