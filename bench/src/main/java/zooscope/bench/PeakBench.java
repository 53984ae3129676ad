package zooscope.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The machine's measured single-core float32 peak: 12 independent FMA chains on preferred-width vectors,
 * all in registers (enough chains to cover FMA latency × throughput on current x86 cores).
 */
public class PeakBench extends BenchSettings {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int ITER = 10_000, CHAINS = 12;

    public static double flops() { return 2.0 * S.length() * CHAINS * ITER; }

    @Benchmark
    public float fmaPeak() {
        FloatVector m = FloatVector.broadcast(S, 0.999f), a = FloatVector.broadcast(S, 1e-6f);
        FloatVector c0 = FloatVector.broadcast(S, 1f), c1 = c0.add(1f), c2 = c0.add(2f), c3 = c0.add(3f),
            c4 = c0.add(4f), c5 = c0.add(5f), c6 = c0.add(6f), c7 = c0.add(7f), c8 = c0.add(8f),
            c9 = c0.add(9f), c10 = c0.add(10f), c11 = c0.add(11f);
        for (int i = 0; i < ITER; i++) {
            c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a);
            c4 = c4.fma(m, a); c5 = c5.fma(m, a); c6 = c6.fma(m, a); c7 = c7.fma(m, a);
            c8 = c8.fma(m, a); c9 = c9.fma(m, a); c10 = c10.fma(m, a); c11 = c11.fma(m, a);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
