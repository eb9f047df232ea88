package org.sparkgan.report;

import org.sparkgan.io.RunKeys;

import java.util.Locale;
import java.util.Map;

/**
 * Reading metrics.jsonl objects: a number may arrive as a JSON number or, for NaN and ±Infinity, as the string
 * Jackson writes in their place; any other value, or a missing key, reads as absent.
 */
final class Records {
    private Records() {}

    /** The value of {@code key} as a double (non-finite ones included), or null. */
    static Double number(Map<String, Object> record, String key) {
        return number(record.get(key));
    }

    /** A JSON value as a double (non-finite ones included), or null. */
    static Double number(Object v) {
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** The record's step, or null when it has none. */
    static Long step(Map<String, Object> record) {
        Double s = number(record, RunKeys.STEP);
        return s == null || !Double.isFinite(s) ? null : s.longValue();
    }

    /** Four significant digits, trailing zeros dropped, the same in every locale. */
    static String format(double v) {
        if (!Double.isFinite(v)) return Double.toString(v);
        // whole numbers up to 15 digits without an exponent: step counts, images per second
        if (Math.abs(v) >= 1e4 && Math.abs(v) < 1e15) return String.format(Locale.ROOT, "%.0f", v);
        String s = String.format(Locale.ROOT, "%.4g", v);
        if (s.contains("e")) return s;
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}
