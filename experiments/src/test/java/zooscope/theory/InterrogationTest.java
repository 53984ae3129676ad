package zooscope.theory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import zooscope.theory.Interrogation.Oracle;
import zooscope.theory.Interrogation.Query;

class InterrogationTest {
    @Test
    void answersSayWhetherThePrefixTypedSoFarMatches() {
        // p = 1,0,1 (symbol i in bit i: 0b101); x = 1,0,0 matches two symbols
        assertArrayEquals(new boolean[] {true, true, false}, Interrogation.answer(3, 0b101, new Query(0b001, 3)));
        assertArrayEquals(new boolean[] {true, true, true}, Interrogation.answer(3, 0b101, new Query(0b101, 3)));
        assertArrayEquals(new boolean[] {false}, Interrogation.answer(3, 0b101, new Query(0, 1)));
    }

    /** Worst case exactly k, mean exactly (k+1)/2 (popcount(p) + [p ends in 0]), every member identified. */
    @Test
    void adaptiveIdentifiesEveryMemberWithAtMostKQueries() {
        for (int k = 2; k <= 12; k++) {
            int worst = 0;
            long total = 0;
            for (int p = 0; p < 1 << k; p++) {
                Oracle o = new Oracle(k, p);
                assertEquals(p, Interrogation.identifyAdaptively(o), "k=" + k);
                int expected = Integer.bitCount(p) + ((p >>> (k - 1) & 1) == 0 ? 1 : 0);
                assertEquals(expected, o.queries(), "k=" + k + " p=" + p);
                worst = Math.max(worst, o.queries());
                total += o.queries();
            }
            assertEquals(k, worst, "k=" + k);
            assertEquals((k + 1) / 2.0, total / (double) (1 << k), 1e-12, "k=" + k);
        }
    }

    @Test
    void fixedSetOfTwoToTheKMinusOneIdentifiesEveryMember() {
        for (int k = 2; k <= 12; k++) {
            assertEquals(1 << (k - 1), Interrogation.fixedQueries(k).length);
            for (int p = 0; p < 1 << k; p++) {
                Oracle o = new Oracle(k, p);
                assertEquals(p, Interrogation.identifyNonInteractively(o), "k=" + k);
                assertEquals(1 << (k - 1), o.queries());
            }
        }
        for (int k = 2; k <= 10; k++) assertTrue(Interrogation.distinguishesAll(k, Interrogation.fixedQueries(k)), "k=" + k);
    }

    /** Each pair w0, w1 is told apart only by queries of its own: no fixed set smaller than 2^(k-1). */
    @Test
    void noSmallerFixedSetWorks() {
        for (int k = 2; k <= 10; k++) assertEquals(1 << (k - 1), Interrogation.pairwiseLowerBound(k), "k=" + k);
        for (int k = 2; k <= 4; k++) {
            assertFalse(Interrogation.existsDistinguishingSet(k, (1 << (k - 1)) - 1), "k=" + k);
            assertTrue(Interrogation.existsDistinguishingSet(k, 1 << (k - 1)), "k=" + k);
        }
        // the fixed set less any one query fails
        Query[] q = Interrogation.fixedQueries(5);
        assertFalse(Interrogation.distinguishesAll(5, java.util.Arrays.copyOf(q, q.length - 1)));
        // a set of the wrong shape fails the same way: all 2^(k-1) queries with p's last bit 1 but short ones
        assertFalse(Interrogation.distinguishesAll(3, new Query[] {new Query(0, 1), new Query(1, 2), new Query(3, 2), new Query(0, 3)}));
    }

    /** Minimax over all interactive interrogators: k queries in the worst case is the best possible. */
    @Test
    void adaptiveWorstCaseIsOptimal() {
        for (int k = 2; k <= 4; k++) assertEquals(k, Interrogation.optimalAdaptiveWorstCase(k), "k=" + k);
    }
}
