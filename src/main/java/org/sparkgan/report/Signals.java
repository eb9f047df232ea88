package org.sparkgan.report;

import org.sparkgan.io.RunKeys;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Warnings about a training run, read from its metrics records (metrics.jsonl's objects, oldest first): the
 * records' own {@code warnings} lists, plus what four rules find:
 * <ul>
 *   <li>D overpowering G: over {@value #WINDOW} consecutive logged steps d_loss stays below {@value #D_LOSS_LOW}
 *       while g_loss rises to above {@value #G_LOSS_HIGH}; one warning per such episode, at the step it is first
 *       seen.</li>
 *   <li>D at chance: over {@value #CHANCE_WINDOW} consecutive logged steps D's mean outputs on reals and on fakes
 *       differ by less than {@value #CHANCE_GAP} on average; one warning per episode, which ends once they are
 *       {@value #CHANCE_APART} apart over such a window (so a gap hovering at the threshold warns once).</li>
 *   <li>Non-finite losses: training has diverged (one warning, at the first such step).</li>
 *   <li>Collapse: the sample grid's diversity falls below {@value #COLLAPSE_RATIO} of its first value (one warning,
 *       at the first such step).</li>
 * </ul>
 * Every string starts with {@code "step N: "} and depends only on the records up to step N, so later records never
 * reword it: a warning a trainer stored with its step is the same string the report derives again, and appears once.
 * Records without a step, or without the keys a rule reads, are ignored by that rule.
 */
public final class Signals {
    /** Logged steps the D-overpowering rule looks at together. */
    public static final int WINDOW = 5;
    public static final double D_LOSS_LOW = 0.1;
    public static final double G_LOSS_HIGH = 3.0;
    public static final double COLLAPSE_RATIO = 0.5;
    /** Logged steps the D-at-chance rule averages over: single batches of 20 are too noisy to tell. */
    public static final int CHANCE_WINDOW = 20;
    public static final double CHANCE_GAP = 0.02;
    public static final double CHANCE_APART = 0.05;
    private static final Pattern STEP_PREFIX = Pattern.compile("^step \\d+: .*", Pattern.DOTALL);

    private Signals() {}

    private record Found(long step, String text) {}

    /** All warnings for these records, ordered by step; empty for a healthy run. */
    public static List<String> warnings(List<Map<String, Object>> records) {
        List<Found> found = new ArrayList<>();
        recorded(records, found);
        nonFinite(records, found);
        overpowering(records, found);
        atChance(records, found);
        collapse(records, found);
        found.sort(Comparator.comparingLong(Found::step)); // stable: rule order within a step
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (Found f : found) out.add(STEP_PREFIX.matcher(f.text).matches() ? f.text : "step " + f.step + ": " + f.text);
        return List.copyOf(out);
    }

    /**
     * The warnings that the last record brings: those of all records that the records before it did not give. What a
     * trainer prints, and stores with the record, as it logs each step.
     */
    public static List<String> newWarnings(List<Map<String, Object>> records) {
        if (records.isEmpty()) return List.of();
        List<String> before = warnings(records.subList(0, records.size() - 1));
        return warnings(records).stream().filter(w -> !before.contains(w)).toList();
    }

    private static void recorded(List<Map<String, Object>> records, List<Found> found) {
        for (Map<String, Object> r : records) {
            Long step = Records.step(r);
            Object w = r.get(RunKeys.WARNINGS);
            if (step == null || w == null) continue;
            if (w instanceof List<?> list) {
                for (Object item : list) if (item != null) found.add(new Found(step, String.valueOf(item)));
            } else {
                found.add(new Found(step, String.valueOf(w)));
            }
        }
    }

    private static void nonFinite(List<Map<String, Object>> records, List<Found> found) {
        for (Map<String, Object> r : records) {
            Double d = Records.number(r, RunKeys.D_LOSS), g = Records.number(r, RunKeys.G_LOSS);
            if (Records.step(r) != null && ((d != null && !Double.isFinite(d)) || (g != null && !Double.isFinite(g)))) {
                found.add(new Found(Records.step(r), String.format("non-finite loss (d_loss %s, g_loss %s): training "
                        + "has diverged; lower the learning rates or resume from a checkpoint before this step",
                        value(r, RunKeys.D_LOSS), value(r, RunKeys.G_LOSS))));
                return;
            }
        }
    }

    private static void overpowering(List<Map<String, Object>> records, List<Found> found) {
        List<Map<String, Object>> losses = records.stream().filter(r -> Records.step(r) != null
                && finite(r, RunKeys.D_LOSS) && finite(r, RunKeys.G_LOSS)).toList();
        boolean inEpisode = false;
        for (int end = WINDOW - 1; end < losses.size(); end++) {
            boolean hit = overpowered(losses.subList(end - WINDOW + 1, end + 1));
            if (hit && !inEpisode) {
                Map<String, Object> a = losses.get(end - WINDOW + 1), b = losses.get(end);
                found.add(new Found(Records.step(b), String.format(
                        "D is overpowering G: over logged steps %d-%d d_loss stayed below %s while g_loss rose from "
                                + "%s to %s; lower D's learning rate (d-lr) or raise its dropout (dropout)",
                        Records.step(a), Records.step(b), Records.format(D_LOSS_LOW), value(a, RunKeys.G_LOSS),
                        value(b, RunKeys.G_LOSS))));
            }
            inEpisode = hit;
        }
    }

    private static boolean overpowered(List<Map<String, Object>> window) {
        double gFirst = Records.number(window.get(0), RunKeys.G_LOSS);
        double gLast = Records.number(window.get(window.size() - 1), RunKeys.G_LOSS);
        return gLast > G_LOSS_HIGH && gLast > gFirst
                && window.stream().allMatch(r -> Records.number(r, RunKeys.D_LOSS) < D_LOSS_LOW);
    }

    private static void atChance(List<Map<String, Object>> records, List<Found> found) {
        List<Map<String, Object>> outputs = records.stream().filter(r -> Records.step(r) != null
                && finite(r, RunKeys.D_OUT_REAL) && finite(r, RunKeys.D_OUT_FAKE)).toList();
        boolean inEpisode = false;
        for (int end = CHANCE_WINDOW - 1; end < outputs.size(); end++) {
            List<Map<String, Object>> window = outputs.subList(end - CHANCE_WINDOW + 1, end + 1);
            double real = mean(window, RunKeys.D_OUT_REAL), fake = mean(window, RunKeys.D_OUT_FAKE);
            double gap = Math.abs(fake - real);
            if (!inEpisode && gap < CHANCE_GAP) {
                found.add(new Found(Records.step(window.get(window.size() - 1)), String.format(
                        "D is at chance: over logged steps %d-%d its mean output was %s on reals and %s on fakes, "
                                + "less than %s apart, so G learns little from it; a slower G (a lower g-lr) keeps "
                                + "them apart", Records.step(window.get(0)),
                        Records.step(window.get(window.size() - 1)), Records.format(real), Records.format(fake),
                        Records.format(CHANCE_GAP))));
                inEpisode = true;
            } else if (inEpisode && gap >= CHANCE_APART) {
                inEpisode = false;
            }
        }
    }

    private static double mean(List<Map<String, Object>> records, String key) {
        return records.stream().mapToDouble(r -> Records.number(r, key)).average().orElse(Double.NaN);
    }

    private static void collapse(List<Map<String, Object>> records, List<Found> found) {
        List<Map<String, Object>> d = records.stream()
                .filter(r -> Records.step(r) != null && finite(r, RunKeys.DIVERSITY)).toList();
        int first = 0;
        while (first < d.size() && Records.number(d.get(first), RunKeys.DIVERSITY) <= 0) first++;
        if (first >= d.size()) return;
        double threshold = COLLAPSE_RATIO * Records.number(d.get(first), RunKeys.DIVERSITY);
        for (int i = first + 1; i < d.size(); i++) {
            if (Records.number(d.get(i), RunKeys.DIVERSITY) < threshold) {
                found.add(new Found(Records.step(d.get(i)), String.format(
                        "sample diversity fell to %s, below half its first value %s (step %d): G may be collapsing "
                                + "onto a few outputs (mode collapse)", value(d.get(i), RunKeys.DIVERSITY),
                        value(d.get(first), RunKeys.DIVERSITY), Records.step(d.get(first)))));
                return;
            }
        }
    }

    private static boolean finite(Map<String, Object> r, String key) {
        Double v = Records.number(r, key);
        return v != null && Double.isFinite(v);
    }

    private static String value(Map<String, Object> r, String key) {
        Double v = Records.number(r, key);
        return v == null ? "absent" : Records.format(v);
    }
}
