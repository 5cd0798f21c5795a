package io.weft.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses and prints byte sizes: {@code 4096}, {@code 64KiB}, {@code 1.5MiB}, {@code 1GiB} (powers
 * of 1024), {@code 10MB} (powers of 1000), and the single letters {@code K}, {@code M},
 * {@code G}, {@code T} as powers of 1024 (like dd). Stateless; any thread.
 */
final class ByteSize implements ITypeConverter<Long> {

    @Override
    public Long convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /**
     * Parses {@code text} to a number of bytes.
     *
     * @throws IllegalArgumentException with a one-line message naming the text and the syntax
     */
    static long parse(String text) {
        String s = text.strip();
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
            i++;
        }
        String number = s.substring(0, i);
        String unit = s.substring(i).strip();
        if (number.isEmpty() || number.equals(".")) {
            throw bad(text, s.startsWith("-") ? "must not be negative" : "expected a number");
        }
        long multiplier = switch (unit.toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "k", "kib" -> 1L << 10;
            case "m", "mib" -> 1L << 20;
            case "g", "gib" -> 1L << 30;
            case "t", "tib" -> 1L << 40;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "tb" -> 1_000_000_000_000L;
            default -> throw bad(text, "unknown unit '" + unit + "'");
        };
        try {
            if (number.indexOf('.') < 0 && number.length() <= 18) {
                return Math.multiplyExact(Long.parseLong(number), multiplier); // no BigDecimal at start-up (GoDuration.scale)
            }
            BigDecimal bytes = new BigDecimal(number).multiply(BigDecimal.valueOf(multiplier));
            return bytes.setScale(0, RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw bad(text, "out of range");
        }
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("invalid size '" + text + "' (" + why
                + "); use bytes or a unit like 64KiB, 16MiB, 1GiB, 10MB");
    }

    /** Formats with a binary unit and up to three significant decimals: {@code 512 B}, {@code 1.5 MiB}. */
    static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = 0;
        while (Math.abs(value) >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        if (unit == 0) {
            return bytes + " B";
        }
        return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : value >= 10 ? "%.1f %s" : "%.2f %s",
                value, units[unit]);
    }
}
