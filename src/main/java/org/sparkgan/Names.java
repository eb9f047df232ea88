package org.sparkgan;

import java.util.Collection;

/** "Did you mean" for a mistyped name: the closest of the known names by edit distance, when it is close. */
public final class Names {
    private Names() {}

    /** " (did you mean 'steps'?)" for "step" among the candidates, or "" when none is close. */
    public static String suggestion(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(name, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        // one edit per three letters (at least one, at most two), or a prefix of four letters or more
        boolean close = best != null && (bestDistance <= Math.max(1, Math.min(2, name.length() / 3))
                || (name.length() >= 4 && best.startsWith(name)));
        return close && bestDistance > 0 ? " (did you mean '" + best + "'?)" : "";
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
