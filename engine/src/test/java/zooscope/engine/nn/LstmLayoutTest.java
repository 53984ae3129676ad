package zooscope.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import zooscope.engine.Rng;

class LstmLayoutTest {
    /** PAPER.md §3 offset table and §16.1 totals. */
    @Test
    void flatOffsetsMatchTheSpec() {
        assertEquals(List.of(0, 768, 4864, 4992, 5120, 9216, 13312, 13440, 13568, 13760),
            LstmLayout.FORMAL.entries().stream().map(LstmLayout.Entry::offset).toList());
        assertEquals(List.of(0, 2048, 6144, 6272, 6400, 10496, 14592, 14720, 14848, 15168),
            LstmLayout.MNIST.entries().stream().map(LstmLayout.Entry::offset).toList());
        assertEquals(13_766, LstmLayout.FORMAL.size());
        assertEquals(15_178, LstmLayout.MNIST.size());
    }

    @Test
    void flattenAndLoadRoundTrip() {
        LstmWithHead a = LstmLayout.FORMAL.newModel(new Rng(1)), b = LstmLayout.FORMAL.newModel(new Rng(2));
        float[] flat = LstmLayout.FORMAL.flatten(a);
        assertArrayEquals(a.namedParameters().get("linear.bias").toArray(), java.util.Arrays.copyOfRange(flat, 13_760, 13_766));
        LstmLayout.FORMAL.load(b, flat, 0);
        assertArrayEquals(flat, LstmLayout.FORMAL.flatten(b));
    }

    /** The offsets computed by arithmetic (what the trainer, stepper and probed RNNs use) equal the named entries'. */
    @Test
    void arithmeticOffsetsMatchTheEntries() {
        for (LstmLayout layout : List.of(LstmLayout.FORMAL, LstmLayout.MNIST, new LstmLayout(3, 5, 3, 4))) {
            for (int l = 0; l < layout.layers(); l++) {
                assertEquals(layout.entry("lstm.weight_ih_l" + l).offset(), layout.weightIh(l), layout + " layer " + l);
                assertEquals(layout.entry("lstm.weight_hh_l" + l).offset(), layout.weightHh(l), layout + " layer " + l);
                assertEquals(layout.entry("lstm.bias_ih_l" + l).offset(), layout.biasIh(l), layout + " layer " + l);
                assertEquals(layout.entry("lstm.bias_hh_l" + l).offset(), layout.biasHh(l), layout + " layer " + l);
            }
            assertEquals(layout.entry("linear.weight").offset(), layout.headWeight(), layout.toString());
            assertEquals(layout.entry("linear.bias").offset(), layout.headBias(), layout.toString());
        }
    }
}
