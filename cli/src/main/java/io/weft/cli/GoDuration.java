package io.weft.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses and prints durations the way Go's {@code time.ParseDuration} and {@code Duration.String}
 * do ({@code 500ms}, {@code 30s}, {@code 1m30s}, {@code 1.5h}), and also accepts ISO-8601
 * ({@code PT30S}). Negative durations are rejected: no option of the command takes one.
 *
 * <p>picocli's stock {@code Duration} converter only knows ISO-8601, so {@code --keepalive 5s}
 * failed with it. Stateless; any thread.
 */
final class GoDuration implements ITypeConverter<Duration> {

    private static final long NANOS_PER_MICRO = 1_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    @Override
    public Duration convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a one-line message naming the text and the syntax
     */
    static Duration parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw bad(text, "empty");
        }
        if (s.startsWith("-")) {
            throw bad(text, "must not be negative");
        }
        if (s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                Duration d = Duration.parse(s);
                if (d.isNegative()) {
                    throw bad(text, "must not be negative");
                }
                return d;
            } catch (DateTimeParseException e) {
                throw bad(text, "not an ISO-8601 duration");
            }
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Duration total = Duration.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw bad(text, "expected a number at '" + s.substring(start) + "'");
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw bad(text, "missing unit after " + number);
            }
            total = total.plus(scale(text, number, nanosPerUnit(text, unit)));
        }
        return total;
    }

    private static long nanosPerUnit(String text, String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> NANOS_PER_MICRO;
            case "ms" -> NANOS_PER_MILLI;
            case "s" -> NANOS_PER_SECOND;
            case "m" -> 60 * NANOS_PER_SECOND;
            case "h" -> 3600 * NANOS_PER_SECOND;
            case "d" -> 86_400 * NANOS_PER_SECOND;
            default -> throw bad(text, "unknown unit '" + unit + "'");
        };
    }

    /**
     * number × unit, exact for integers, rounded to the nanosecond for fractions. Integers (every
     * default and nearly every flag) stay in {@code long} arithmetic: {@code BigDecimal}'s class
     * initialisation alone took 20–50 ms of a {@code weft tunnel}'s start-up on JDK 25
     * (docs/benchmarks.md, "Footprint").
     */
    private static Duration scale(String text, String number, long nanosPerUnit) {
        try {
            if (number.indexOf('.') < 0 && number.length() <= 18) { // fits a long
                long whole = Long.parseLong(number);
                long unitSeconds = nanosPerUnit / NANOS_PER_SECOND;
                long unitNanos = nanosPerUnit % NANOS_PER_SECOND;
                // whole × unitNanos split at 10^9 so that neither product overflows early.
                long seconds = Math.addExact(Math.multiplyExact(whole, unitSeconds),
                        Math.multiplyExact(whole / NANOS_PER_SECOND, unitNanos));
                return Duration.ofSeconds(seconds, (whole % NANOS_PER_SECOND) * unitNanos);
            }
            var value = new BigDecimal(number).multiply(BigDecimal.valueOf(nanosPerUnit));
            var seconds = value.divideToIntegralValue(BigDecimal.valueOf(NANOS_PER_SECOND));
            long nanos = value.subtract(seconds.multiply(BigDecimal.valueOf(NANOS_PER_SECOND)))
                    .setScale(0, RoundingMode.HALF_UP).longValueExact();
            return Duration.ofSeconds(seconds.longValueExact(), nanos);
        } catch (ArithmeticException | NumberFormatException e) {
            throw bad(text, "out of range");
        }
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("invalid duration '" + text + "' (" + why
                + "); use Go syntax like 500ms, 30s, 1m30s, 2h or ISO-8601 like PT30S");
    }

    /**
     * Formats like Go's {@code Duration.String}: {@code 0s}, {@code 1.5µs}, {@code 250ms},
     * {@code 1m30s}, {@code 2h0m0s}.
     */
    static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        if (d.isZero()) {
            return "0s";
        }
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        if (seconds == 0) {
            if (nanos < NANOS_PER_MICRO) {
                return nanos + "ns";
            }
            if (nanos < NANOS_PER_MILLI) {
                return trim(nanos, NANOS_PER_MICRO) + "µs";
            }
            return trim(nanos, NANOS_PER_MILLI) + "ms";
        }
        StringBuilder sb = new StringBuilder();
        long hours = seconds / 3600;
        long minutes = (seconds % 3600) / 60;
        long secs = seconds % 60;
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        sb.append(trim(secs * NANOS_PER_SECOND + nanos, NANOS_PER_SECOND)).append('s');
        return sb.toString();
    }

    /** What {@link Duration#toString()} writes: PT, then hours, minutes, seconds (any may be negative). */
    private static final Pattern ISO_IN_TEXT =
            Pattern.compile("(?<![A-Za-z0-9])PT(?:-?\\d+H)?(?:-?\\d+M)?(?:-?\\d+(?:\\.\\d+)?S)?(?![A-Za-z0-9])");

    /**
     * Rewrites ISO-8601 durations inside a message Go-style ({@code "no ping reply within PT2S"}
     * becomes {@code "... within 2s"}). The library's exception messages print {@code Duration}
     * with its {@code toString}; the command prints every duration the way it reads them.
     */
    static String formatIn(String text) {
        if (text == null || !text.contains("PT")) {
            return text;
        }
        Matcher m = ISO_IN_TEXT.matcher(text);
        StringBuilder sb = new StringBuilder(text.length());
        while (m.find()) {
            String replacement = m.group();
            if (replacement.length() > 2) {
                try {
                    replacement = format(Duration.parse(replacement));
                } catch (DateTimeParseException e) {
                    // Not a duration after all: leave it as it was.
                }
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** value/unit as a decimal without trailing zeros, e.g. 1500/1000 -> "1.5"; unit a power of ten. */
    private static String trim(long value, long unit) {
        long rest = value % unit;
        if (rest == 0) {
            return Long.toString(value / unit);
        }
        String digits = Long.toString(unit + rest).substring(1); // rest zero-padded to the unit's width
        int end = digits.length();
        while (digits.charAt(end - 1) == '0') {
            end--;
        }
        return value / unit + "." + digits.substring(0, end);
    }
}
