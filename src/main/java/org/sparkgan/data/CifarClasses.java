package org.sparkgan.data;

import org.sparkgan.BadInputException;
import org.sparkgan.Names;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The ten CIFAR-10 classes, in label order (batches.meta.txt). */
public final class CifarClasses {
    public static final List<String> NAMES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private CifarClasses() {}

    public static String name(int label) {
        return NAMES.get(label);
    }

    /** Accepts a class name (any case) or its label number; throws {@link BadInputException} otherwise. */
    public static int label(String nameOrNumber) {
        String s = nameOrNumber.trim().toLowerCase(Locale.ROOT);
        int i = NAMES.indexOf(s);
        if (i >= 0) return i;
        if (s.matches("\\d+")) {
            int n = Integer.parseInt(s);
            if (n < NAMES.size()) return n;
        }
        throw new BadInputException("unknown CIFAR-10 class '" + nameOrNumber + "'"
                + Names.nearest(s, NAMES).map(n -> " (did you mean '" + n + "'?)").orElse("") + " (expected one of "
                + String.join(", ", NAMES) + ", or 0-9)");
    }

    /** Parses a comma-separated list; "all" or an empty string means every class. Sorted, without duplicates. */
    public static List<Integer> parseList(String csv) {
        if (csv == null || csv.isBlank() || csv.trim().equalsIgnoreCase("all")) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < NAMES.size(); i++) all.add(i);
            return all;
        }
        List<Integer> labels = new ArrayList<>();
        for (String part : csv.split(",")) {
            if (part.isBlank()) continue;
            int l = label(part);
            if (!labels.contains(l)) labels.add(l);
        }
        Collections.sort(labels);
        return labels;
    }
}
