package org.sparkgan;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" for a mistyped name: the closest of the known names by edit distance, when it is close. */
public final class Names {
    private Names() {}

    /** The candidate closest to {@code name} ("steps" for "step"), when one is close enough to be a typo of it. */
    public static Optional<String> nearest(String name, Collection<String> candidates) {
        if (candidates.contains(name)) return Optional.empty();
        // a beginning of four letters or more: "averaging" for "averaging-frequency"
        if (name.length() >= 4) {
            Optional<String> extended = candidates.stream().filter(c -> c.startsWith(name))
                    .min(java.util.Comparator.comparingInt(String::length));
            if (extended.isPresent()) return extended;
        }
        // else one edit per three letters, at least one and at most two
        int allowed = Math.max(1, Math.min(2, name.length() / 3));
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(name, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1], current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
