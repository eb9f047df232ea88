package org.sparkgan.cli;

import org.junit.jupiter.api.Test;
import org.sparkgan.data.CifarClasses;
import org.sparkgan.data.PrepJob;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prep's help (the classes, --split against --splits) and its summary's counts and rate. */
class PrepCommandTest {
    @Test
    void helpNamesEveryClassWithItsNumber() {
        MainTest.Result r = MainTest.run("prep", "--help");
        assertEquals(0, r.status());
        for (int label = 0; label < CifarClasses.NAMES.size(); label++) {
            assertTrue(r.out().contains(CifarClasses.name(label) + " (" + label + ")"), CifarClasses.name(label));
        }
    }

    @Test
    void helpContrastsSplitWithSplits() {
        String help = MainTest.run("prep", "--help").out();
        String splits = help.substring(help.indexOf("  --splits "), help.indexOf("  --split "));
        String split = help.substring(help.indexOf("  --split "), help.indexOf("  --overwrite"));
        assertTrue(splits.contains("which splits to keep") && splits.contains("a filter, unlike --split"), splits);
        assertTrue(split.contains("a label, not a filter (that is --splits)"), split);
    }

    @Test
    void summaryGivesTheReadingRateAndWhatWasWrittenApart() {
        // a --classes frog run of the whole archive: 60,000 records read in 20 s, 6,000 kept
        TreeMap<String, TreeMap<String, Long>> rows = new TreeMap<>();
        rows.computeIfAbsent("train", k -> new TreeMap<>()).put("frog", 5_000L);
        rows.computeIfAbsent("test", k -> new TreeMap<>()).put("frog", 1_000L);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrepCommand.print(new PrepJob.Summary("data/frogs", rows, 12, 18_500_000, 60_000, 20.0),
                new PrintStream(bytes, true));
        String out = bytes.toString();
        assertTrue(out.startsWith("prep: wrote 6,000 images to data/frogs"), out);
        assertTrue(out.contains("  12 Parquet files, 18,500,000 bytes, 20.0 s: 60,000 images read (3,000/s), "
                + "6,000 written"), out);
    }
}
