package org.sparkgan.data;

import org.sparkgan.BadInputException;
import java.util.List;

/**
 * What {@code prep} does, validated: where the CIFAR-10 files are, where the Parquet goes, which classes and splits
 * to keep, the split of record files with non-official names, and whether an existing output may be replaced.
 */
public record PrepOptions(String input, String output, List<Integer> classes, List<String> splits,
                          String defaultSplit, boolean overwrite) {
    public PrepOptions {
        if (input == null || input.isBlank()) throw new BadInputException("--input is required");
        if (output == null || output.isBlank()) throw new BadInputException("--output is required");
        if (classes.isEmpty()) throw new BadInputException("--classes selects no class");
        if (splits.isEmpty()) throw new BadInputException("--splits selects no split");
        for (String s : splits) checkSplit(s, "--splits");
        checkSplit(defaultSplit, "--split");
        classes = List.copyOf(classes);
        splits = List.copyOf(splits);
    }

    private static void checkSplit(String split, String option) {
        if (!CifarParquet.SPLITS.contains(split)) {
            throw new BadInputException(option + ": unknown split '" + split + "' (expected train or test)");
        }
    }
}
