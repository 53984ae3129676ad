package zooscope.formal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import zooscope.engine.Rng;

/** PAPER.md §16.2 and §16.3 test vectors. */
class FormalLanguageTest {
    static final short B = FormalLanguage.BOS, E = FormalLanguage.EOS;

    static short[] seq(int... t) {
        short[] s = new short[t.length];
        for (int i = 0; i < t.length; i++) s[i] = (short) t[i];
        return s;
    }

    @Test
    void sequenceForTaskAndN() {
        short[] s = new FormalLanguage(0, 1, -1, 2).sequence(3);
        short[] want = new short[42];
        System.arraycopy(seq(4, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3), 0, want, 0, 15);
        java.util.Arrays.fill(want, 15, 42, E);
        assertArrayEquals(want, s);
    }

    @Test
    void longestSequenceIsTruncatedWithoutEos() {
        short[] s = new FormalLanguage(0, 2, 2, 2).sequence(9);
        assertEquals(42, s.length);
        assertEquals(B, s[0]);
        for (int p = 1; p < 42; p++) assertEquals(p <= 9 ? 0 : p <= 20 ? 1 : p <= 31 ? 2 : 3, s[p], "position " + p);
    }

    @Test
    void acceptanceRules() {
        FormalLanguage zero = new FormalLanguage(0, 0, 0, 0);
        Object[][] cases = { // sequence, count-only, strict
            {seq(B, 3, 2, 1, 0, E), true, false},
            {seq(B, 0, B, 1, 2, 3, E), true, false},
            {seq(B, E), true, true},
            {seq(B, 0, 1, 2, 3, E), true, true},
            {seq(B, 1, 0, E), false, false},
            {seq(B, 0, 1, 2, 3), false, false},
        };
        for (Object[] c : cases) {
            short[] s = (short[]) c[0];
            assertEquals(c[1], zero.acceptsCountOnly(s), "count-only " + java.util.Arrays.toString(s));
            assertEquals(c[2], zero.acceptsStrict(s), "strict " + java.util.Arrays.toString(s));
        }
        FormalLanguage d = new FormalLanguage(0, 1, -1, 2);
        assertEquals(true, d.acceptsCountOnly(seq(B, 0, 1, 1, 3, 3, 3, E)));
        assertEquals(true, d.acceptsStrict(seq(B, 0, 1, 1, 3, 3, 3, E)));
    }

    @Test
    void samplesAreInTheLanguage() {
        FormalLanguage d = new FormalLanguage(0, -3, 2, 0);
        assertEquals(3, d.minN());
        Rng r = new Rng(4);
        for (int i = 0; i < 200; i++) {
            short[] s = d.sample(r);
            assertEquals(true, d.acceptsStrict(s) || s[41] != E, "every sample is a word of the language (or truncated)");
        }
        assertThrows(IllegalArgumentException.class, () -> d.sequence(2));
        assertThrows(IllegalArgumentException.class, () -> new FormalLanguage(1, 0, 0, 0));
    }

    @Test
    void teacherForcingBatchIsOneHotInputsAndNextTokenTargets() {
        FormalLanguage d = new FormalLanguage(0, 1, -1, 2);
        int batch = 5, T = FormalLanguage.LENGTH - 1, V = FormalLanguage.VOCAB;
        float[] x = new float[batch * T * V];
        int[] y = new int[batch * T];
        java.util.Arrays.fill(x, 7f); // stale values are cleared
        d.fillBatch(new Rng(3), batch, x, y);
        Rng again = new Rng(3);
        for (int b = 0; b < batch; b++) {
            short[] s = d.sequence(d.sampleN(again));
            for (int t = 0; t < T; t++) {
                for (int v = 0; v < V; v++) assertEquals(v == s[t] ? 1f : 0f, x[(b * T + t) * V + v], "input " + b + "," + t);
                assertEquals(s[t + 1], y[b * T + t], "target " + b + "," + t);
            }
        }
    }
}
