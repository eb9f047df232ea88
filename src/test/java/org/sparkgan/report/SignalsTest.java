package org.sparkgan.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warning rules on made-up metrics records, shaped as metrics.jsonl reads back. */
class SignalsTest {
    /** A balanced game: losses near ln 2, D near chance, steady diversity. */
    static List<Map<String, Object>> healthy(int n) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(record(10L * i, 0.65 + 0.05 * Math.sin(i), 0.8 + 0.1 * Math.cos(i)));
            out.get(out.size() - 1).put("diversity", 30.0 - 0.1 * i);
        }
        return out;
    }

    static Map<String, Object> record(long step, Object dLoss, Object gLoss) {
        Map<String, Object> r = new HashMap<>();
        r.put("step", step);
        r.put("d_loss", dLoss);
        r.put("g_loss", gLoss);
        r.put("d_acc_real", 0.6);
        r.put("d_acc_fake", 0.5);
        return r;
    }

    @Test
    void aHealthyRunHasNoWarnings() {
        assertEquals(List.of(), Signals.warnings(healthy(30)));
        assertEquals(List.of(), Signals.warnings(List.of()));
    }

    @Test
    void recordsMissingKeysAreIgnored() {
        List<Map<String, Object>> records = new ArrayList<>(healthy(3));
        records.add(Map.of());
        records.add(Map.of("step", 40));
        records.add(Map.of("step", "not a number", "d_loss", "NaN"));
        records.add(Map.of("step", 50, "d_loss", "also not a number", "diversity", "?"));
        assertEquals(List.of(), Signals.warnings(records));
    }

    @Test
    void dOverpoweringGIsOneWarningPerEpisode() {
        List<Map<String, Object>> records = new ArrayList<>(healthy(10));
        double[] g = {2.5, 2.9, 3.2, 3.6, 4.1, 4.4};
        for (int i = 0; i < g.length; i++) records.add(record(110 + 10L * i, 0.05, g[i]));
        List<String> w = Signals.warnings(records);
        assertEquals(1, w.size(), w.toString());
        assertEquals("step 150: D is overpowering G: over logged steps 110-150 d_loss stayed below 0.1 while g_loss "
                + "rose from 2.5 to 4.1; lower D's learning rate (d-lr) or raise its dropout (dropout)", w.get(0),
                "seen once the window is full, and not reworded as the episode goes on");

        // the same low D loss while G's loss falls back is G catching up, not D overpowering
        List<Map<String, Object>> recovering = new ArrayList<>(healthy(10));
        double[] falling = {4.4, 4.1, 3.6, 3.3, 3.1};
        for (int i = 0; i < falling.length; i++) recovering.add(record(110 + 10L * i, 0.05, falling[i]));
        assertEquals(List.of(), Signals.warnings(recovering));

        // a high G loss alone is not the signal
        List<Map<String, Object>> highG = new ArrayList<>(healthy(10));
        for (int i = 0; i < 6; i++) highG.add(record(110 + 10L * i, 0.3, 3.0 + 0.2 * i));
        assertEquals(List.of(), Signals.warnings(highG));
    }

    /** Records whose D outputs on reals and fakes are {@code gaps[i]} apart around the seed's chance level 0.525. */
    static List<Map<String, Object>> withOutputGaps(double... gaps) {
        List<Map<String, Object>> out = healthy(gaps.length);
        for (int i = 0; i < gaps.length; i++) {
            out.get(i).put("d_out_real", 0.525 - gaps[i] / 2);
            out.get(i).put("d_out_fake", 0.525 + gaps[i] / 2);
        }
        return out;
    }

    static double[] repeat(int n, double gap) {
        double[] g = new double[n];
        Arrays.fill(g, gap);
        return g;
    }

    @Test
    void dAtChanceIsOneWarningPerEpisodeOfTwentyLoggedSteps() {
        assertEquals(List.of(), Signals.warnings(withOutputGaps(repeat(60, 0.3))), "D telling the sets apart");
        assertEquals(List.of(), Signals.warnings(withOutputGaps(repeat(19, 0.0))), "a window not yet full");

        double[] gaps = new double[130];
        for (int i = 0; i < 100; i++) gaps[i] = i < 30 ? 0.3 : i < 50 ? 0.0 : 0.01 + 0.02 * (i % 2);
        List<String> w = Signals.warnings(withOutputGaps(Arrays.copyOf(gaps, 100)));
        // a window averages 0.3·k/20 with k records of gap 0.3: the first below 0.02 holds one (steps 300-490)
        assertEquals(List.of("step 490: D is at chance: over logged steps 300-490 its mean output was 0.5175 on reals "
                + "and 0.5325 on fakes, less than 0.02 apart, so G learns little from it; a slower G (a lower g-lr) "
                + "keeps them apart"), w, "a gap hovering at 0.01-0.03 warns once");

        for (int i = 70; i < gaps.length; i++) gaps[i] = i < 90 ? 0.3 : 0.0; // apart over 70-89, then at chance
        assertEquals(2, Signals.warnings(withOutputGaps(gaps)).size(), "apart again, then at chance again: two episodes");
    }

    @Test
    void nonFiniteLossesAreOneWarningAtTheFirst() {
        List<Map<String, Object>> records = new ArrayList<>(healthy(4));
        records.add(record(50, "NaN", 0.7)); // how Jackson writes NaN and reads it back
        records.add(record(60, 0.7, Double.POSITIVE_INFINITY));
        records.add(record(70, "-Infinity", "NaN"));
        List<String> w = Signals.warnings(records);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("step 50: non-finite loss (d_loss NaN, g_loss 0.7): training has diverged"),
                w.get(0));
    }

    @Test
    void collapseIsDiversityBelowHalfItsFirstValue() {
        List<Map<String, Object>> records = new ArrayList<>(healthy(4));
        records.add(new HashMap<>(Map.of("step", 50, "diversity", 15.5))); // above half of 29.9
        records.add(new HashMap<>(Map.of("step", 60, "diversity", 14.0)));
        records.add(new HashMap<>(Map.of("step", 70, "diversity", 9.0)));
        List<String> w = Signals.warnings(records);
        assertEquals(List.of("step 60: sample diversity fell to 14, below half its first value 29.9 (step 10): G may be "
                + "collapsing onto a few outputs (mode collapse)"), w);
    }

    @Test
    void recordWarningsAndRulesComeInStepOrderWithoutDuplicates() {
        List<Map<String, Object>> records = new ArrayList<>(healthy(4));
        records.get(2).put("warnings", List.of("SWD rose for 3 evaluations", "step 30: already prefixed"));
        records.get(0).put("warnings", List.of("first"));
        records.get(3).put("warnings", "a single string");
        records.add(record(50, "NaN", 0.7));
        String nonFinite = Signals.warnings(records).get(4);
        records.get(4).put("warnings", List.of(nonFinite)); // as if the trainer had stored the rule's own string
        assertEquals(List.of("step 10: first", "step 30: SWD rose for 3 evaluations", "step 30: already prefixed",
                "step 40: a single string", nonFinite), Signals.warnings(records));
    }

    /** A run with every kind of trouble: the rules fire at different steps. */
    static List<Map<String, Object>> troubled() {
        List<Map<String, Object>> records = new ArrayList<>(healthy(10));
        for (int i = 0; i < 8; i++) {
            Map<String, Object> r = record(110 + 10L * i, 0.04, 2.6 + 0.3 * i);
            r.put("diversity", i < 5 ? 29.0 : 11.0);
            records.add(r);
        }
        records.add(record(190, "NaN", "NaN"));
        records.add(record(200, 0.7, 0.7));
        return records;
    }

    @Test
    void aWarningIsNeverRewordedByLaterRecords() {
        List<Map<String, Object>> records = troubled();
        List<String> all = Signals.warnings(records);
        assertEquals(3, all.size(), all.toString());
        List<String> seen = new ArrayList<>();
        for (int n = 1; n <= records.size(); n++) {
            List<String> now = Signals.warnings(records.subList(0, n));
            assertTrue(now.containsAll(seen), "after " + n + " records: " + now + " dropped one of " + seen);
            seen = now;
        }
    }

    @Test
    void newWarningsAreWhatATrainerStoresWithEachRecord() {
        List<Map<String, Object>> logged = new ArrayList<>();
        List<String> printed = new ArrayList<>();
        for (Map<String, Object> r : troubled()) {
            logged.add(r);
            List<String> fresh = Signals.newWarnings(logged);
            if (!fresh.isEmpty()) r.put("warnings", fresh);
            printed.addAll(fresh);
        }
        assertEquals(Signals.warnings(troubled()), printed, "each warning once, at its step");
        assertEquals(printed, Signals.warnings(logged), "the stored ones are not repeated by the rules");
        assertEquals(List.of(), Signals.newWarnings(List.of()));
    }
}
