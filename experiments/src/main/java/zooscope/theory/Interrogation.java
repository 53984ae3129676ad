package zooscope.theory;

import java.util.HashMap;
import java.util.Map;

/**
 * Interrogating a finite set of functions (PAPER.md §12, Prop. 3.3): the password functions
 * D = {f_p : p in {0,1}^k}. A query is a bit string x of length 1..k; f_p answers, per step i, whether
 * the prefix x[0..i] typed so far equals p[0..i]. (Symbols beyond the k-th could never match, so longer
 * queries tell nothing their k-bit prefix does not; the domain is cut at length k.)
 *
 * <p>Bit strings are ints, symbol i being bit i ({@code (x >>> i) & 1}); a password p is an int in [0, 2^k).
 *
 * <p>An interactive interrogator identifies p with at most k queries ({@link #identifyAdaptively});
 * a non-interactive one needs a fixed set of 2^(k-1) queries ({@link #fixedQueries}), which is the
 * least possible ({@link #pairwiseLowerBound}, {@link #existsDistinguishingSet}).
 */
public final class Interrogation {
    private Interrogation() {}

    /** A query: the first {@code length} symbols of {@code bits}. */
    public record Query(int bits, int length) {}

    /** The answer of f_p to x: step i is true iff x[0..i] == p[0..i]. */
    public static boolean[] answer(int k, int p, Query x) {
        if (x.length() < 1 || x.length() > k) throw new IllegalArgumentException("query length must be 1.." + k + ", got " + x.length());
        boolean[] out = new boolean[x.length()];
        boolean same = true;
        for (int i = 0; i < out.length; i++) {
            same &= bit(x.bits(), i) == bit(p, i);
            out[i] = same;
        }
        return out;
    }

    /** The leading trues of an answer: how many symbols of the password the query got right. */
    public static int matched(boolean[] answer) {
        int m = 0;
        while (m < answer.length && answer[m]) m++;
        return m;
    }

    /** The unknown member f_p of D: the interrogators see it only through queries, which it counts. */
    public static final class Oracle {
        final int k;
        private final int p;
        private int queries;

        public Oracle(int k, int p) {
            if (k < 1 || k > 30 || p < 0 || p >= 1 << k) throw new IllegalArgumentException("need 1 <= k <= 30 and 0 <= p < 2^k, got k=" + k + ", p=" + p);
            this.k = k;
            this.p = p;
        }

        public boolean[] ask(Query x) {
            queries++;
            return answer(k, p, x);
        }

        public int queries() { return queries; }
    }

    /**
     * Interactive: query the known prefix followed by zeros. The answer confirms the zeros up to the
     * first wrong symbol, which must be a 1, so every answer fixes at least one more bit. Uses
     * popcount(p) queries, plus one if p ends in 0 (the final query then matches all k symbols):
     * k in the worst case (p = 1^k), (k+1)/2 on average. Returns the identified password.
     */
    public static int identifyAdaptively(Oracle o) {
        int known = 0; // p agrees with known on the bits settled so far; unsettled bits are 0
        while (true) {
            int m = matched(o.ask(new Query(known, o.k)));
            if (m == o.k) return known;
            known |= 1 << m; // symbol m was typed as 0 and was wrong
            if (m + 1 == o.k) return known;
        }
    }

    /**
     * The fixed query set: every (k-1)-bit prefix w followed by a 0, 2^(k-1) queries of length k.
     * (With symbol i in bit i, "w then 0" is the int w itself.)
     */
    public static Query[] fixedQueries(int k) {
        Query[] q = new Query[1 << (k - 1)];
        for (int w = 0; w < q.length; w++) q[w] = new Query(w, k);
        return q;
    }

    /**
     * Non-interactive: ask all of {@link #fixedQueries} (chosen before any answer is seen), then decode.
     * The query sharing the longest prefix with p is w0 for w = p's first k-1 bits (any other query goes
     * wrong before symbol k-1); it matches all k symbols if p ends in 0, and k-1 if p ends in 1.
     */
    public static int identifyNonInteractively(Oracle o) {
        Query[] qs = fixedQueries(o.k);
        boolean[][] answers = new boolean[qs.length][];
        for (int i = 0; i < qs.length; i++) answers[i] = o.ask(qs[i]);
        int best = 0;
        for (int i = 1; i < qs.length; i++) if (matched(answers[i]) > matched(answers[best])) best = i;
        return matched(answers[best]) == o.k ? qs[best].bits() : qs[best].bits() | 1 << (o.k - 1);
    }

    /** Brute force: whether the answers to {@code queries} differ for every pair of the 2^k members. */
    public static boolean distinguishesAll(int k, Query[] queries) {
        // partition refinement: members stay in one class until some query tells them apart
        int[] cls = new int[1 << k];
        int classes = 1;
        for (Query q : queries) {
            Map<Long, Integer> ids = new HashMap<>();
            for (int p = 0; p < cls.length; p++) {
                long key = (long) cls[p] << 32 | mask(answer(k, p, q));
                cls[p] = ids.computeIfAbsent(key, x -> ids.size());
            }
            classes = ids.size();
        }
        return classes == 1 << k;
    }

    /**
     * The lower bound for any fixed set, checked by brute force over all queries of length 1..k: for each
     * w in {0,1}^(k-1), collect the queries that tell w0 from w1 apart. If every such set is non-empty and
     * no two of them share a query, a fixed set that separates all pairs needs a different query for each
     * w: at least 2^(k-1). Returns 2^(k-1) when this holds, -1 when it does not.
     */
    public static int pairwiseLowerBound(int k) {
        Query[] all = allQueries(k);
        boolean[] taken = new boolean[all.length];
        for (int w = 0; w < 1 << (k - 1); w++) {
            int found = 0;
            for (int i = 0; i < all.length; i++) {
                if (mask(answer(k, w, all[i])) == mask(answer(k, w | 1 << (k - 1), all[i]))) continue;
                if (taken[i]) return -1;
                taken[i] = true;
                found++;
            }
            if (found == 0) return -1;
        }
        return 1 << (k - 1);
    }

    /**
     * Exhaustive search: whether some set of {@code size} distinct queries (of length 1..k) tells all
     * 2^k members apart. Supersets of a separating set separate too, so "false for 2^(k-1) - 1" proves
     * that no smaller set works. Feasible for k <= 4 (30 possible queries).
     */
    public static boolean existsDistinguishingSet(int k, int size) {
        if (k > 4) throw new IllegalArgumentException("exhaustive search is for k <= 4, got " + k);
        Query[] all = allQueries(k);
        int[][] masks = new int[all.length][1 << k];
        for (int i = 0; i < all.length; i++) for (int p = 0; p < 1 << k; p++) masks[i][p] = mask(answer(k, p, all[i]));
        return search(k, masks, 0, size, new long[1 << k]);
    }

    // sig[p] concatenates p's answers (k bits each) to the queries chosen so far; at most 7 * 4 bits
    private static boolean search(int k, int[][] masks, int start, int left, long[] sig) {
        if (left == 0) {
            for (int a = 0; a < sig.length; a++) for (int b = a + 1; b < sig.length; b++) if (sig[a] == sig[b]) return false;
            return true;
        }
        for (int i = start; i <= masks.length - left; i++) {
            long[] next = new long[sig.length];
            for (int p = 0; p < sig.length; p++) next[p] = sig[p] << k | masks[i][p];
            if (search(k, masks, i + 1, left - 1, next)) return true;
        }
        return false;
    }

    /**
     * The best worst case of any interactive interrogator, by minimax over all sets of candidates still
     * possible (k <= 4): with one candidate left nothing is asked; otherwise pick the query whose worst
     * answer leaves the hardest rest.
     */
    public static int optimalAdaptiveWorstCase(int k) {
        if (k > 4) throw new IllegalArgumentException("minimax search is for k <= 4, got " + k);
        Query[] all = allQueries(k);
        int[][] masks = new int[all.length][1 << k];
        for (int i = 0; i < all.length; i++) for (int p = 0; p < 1 << k; p++) masks[i][p] = mask(answer(k, p, all[i]));
        int[] memo = new int[1 << (1 << k)];
        java.util.Arrays.fill(memo, -1);
        return minimax((1 << (1 << k)) - 1, k, masks, memo);
    }

    private static int minimax(int candidates, int k, int[][] masks, int[] memo) {
        if (Integer.bitCount(candidates) <= 1) return 0;
        if (memo[candidates] >= 0) return memo[candidates];
        int best = Integer.MAX_VALUE;
        for (int[] m : masks) {
            int[] byAnswer = new int[1 << k]; // candidates grouped by the answer they give
            for (int p = 0; p < 1 << k; p++) if ((candidates >>> p & 1) != 0) byAnswer[m[p]] |= 1 << p;
            int worst = 0;
            boolean splits = true;
            for (int group : byAnswer) {
                if (group == candidates) { splits = false; break; } // the query tells nothing here
                if (group != 0) worst = Math.max(worst, minimax(group, k, masks, memo));
            }
            if (splits) best = Math.min(best, 1 + worst);
        }
        return memo[candidates] = best;
    }

    /** All queries of length 1..k. */
    static Query[] allQueries(int k) {
        Query[] all = new Query[(1 << (k + 1)) - 2];
        int n = 0;
        for (int len = 1; len <= k; len++) for (int x = 0; x < 1 << len; x++) all[n++] = new Query(x, len);
        return all;
    }

    private static int bit(int x, int i) { return x >>> i & 1; }

    /** An answer as an int, step i in bit i: lossless, whatever the answer looks like. */
    private static int mask(boolean[] answer) {
        int m = 0;
        for (int i = 0; i < answer.length; i++) if (answer[i]) m |= 1 << i;
        return m;
    }
}
