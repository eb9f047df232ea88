package org.sparkgan.report;

import org.apache.hadoop.fs.FileStatus;
import org.sparkgan.io.RunFolder;
import org.sparkgan.io.RunKeys;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading what a run folder records for the pages: metrics.jsonl objects, config.json's sections and the sample
 * grids. In a record, a number may arrive as a JSON number or, for NaN and ±Infinity, as the string Jackson writes in
 * their place; any other value, or a missing key, reads as absent.
 */
final class Records {
    private Records() {}

    private static final Pattern SAMPLE = Pattern.compile("step-(\\d{6,})\\.png");

    /** One sample grid of G (or G_ema) in the samples folder. */
    record SampleGrid(long step, String name) {
        /** Its path inside the run folder. */
        String link() {
            return RunFolder.SAMPLES + "/" + name;
        }
    }

    /** The run's samples/step-NNNNNN.png grids, oldest first. */
    static List<SampleGrid> sampleGrids(RunFolder run) throws IOException {
        List<SampleGrid> out = new ArrayList<>();
        if (!run.exists(RunFolder.SAMPLES)) return out;
        for (FileStatus s : run.fileSystem().listStatus(run.path(RunFolder.SAMPLES))) {
            Matcher m = SAMPLE.matcher(s.getPath().getName());
            if (s.isFile() && m.matches()) out.add(new SampleGrid(Long.parseLong(m.group(1)), s.getPath().getName()));
        }
        out.sort(Comparator.comparingLong(SampleGrid::step));
        return out;
    }

    /** A section of config.json ({@link RunKeys#CONFIG}, {@link RunKeys#PROVENANCE}); empty when absent. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> section(Map<String, Object> configJson, String name) {
        return configJson.get(name) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** The records of training steps: a step and D's loss (evaluations and rollbacks aside). */
    static List<Map<String, Object>> training(List<Map<String, Object>> records) {
        return records.stream().filter(r -> step(r) != null && r.containsKey(RunKeys.D_LOSS)).toList();
    }

    /** The newest record with a step and a number under {@code key}. */
    static Optional<Map<String, Object>> latest(List<Map<String, Object>> records, String key) {
        for (int i = records.size() - 1; i >= 0; i--) {
            Map<String, Object> r = records.get(i);
            if (step(r) != null && number(r, key) != null) return Optional.of(r);
        }
        return Optional.empty();
    }

    /**
     * (x, value) of every record with a step and a number under {@code key}, non-finite values included; records
     * whose x is not finite are left out.
     */
    static List<double[]> points(List<Map<String, Object>> records, String key,
                                 ToDoubleFunction<Map<String, Object>> x) {
        List<double[]> out = new ArrayList<>();
        for (Map<String, Object> r : records) {
            Double v = number(r, key);
            if (v == null || step(r) == null) continue;
            double at = x.applyAsDouble(r);
            if (Double.isFinite(at)) out.add(new double[]{at, v});
        }
        return out;
    }

    /** (step, value) of every record that has both. */
    static List<double[]> points(List<Map<String, Object>> records, String key) {
        return points(records, key, r -> step(r));
    }

    /** From the first to the last x of {@code over}, at {@code value}. */
    static List<double[]> across(List<double[]> over, double value) {
        return over.isEmpty() ? List.of()
                : List.of(new double[]{over.get(0)[0], value}, new double[]{over.get(over.size() - 1)[0], value});
    }

    /** The real-vs-real floor's line beside the SWD line {@code swd}. */
    static List<double[]> floorLine(List<double[]> floor, List<double[]> swd) {
        // one floor measurement holds for the whole run: draw it across
        return floor.size() == 1 ? across(swd, floor.get(0)[1]) : floor;
    }

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
