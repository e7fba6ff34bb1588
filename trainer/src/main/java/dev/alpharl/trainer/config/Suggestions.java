package dev.alpharl.trainer.config;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean ...": the nearest candidate by Levenshtein edit distance, if it is near enough. */
final class Suggestions {
    private Suggestions() {}

    /** The candidate nearest to {@code given}, if within max(2, length/3) edits. */
    static Optional<String> nearest(String given, Collection<String> candidates) {
        int limit = Math.max(2, given.length() / 3);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = levenshtein(given, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= limit ? Optional.of(best) : Optional.empty();
    }

    /** Minimum number of single-character insertions, deletions and substitutions turning a into b. */
    static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
