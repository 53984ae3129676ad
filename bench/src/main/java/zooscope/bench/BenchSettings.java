package zooscope.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import zooscope.kernels.Backend;
import zooscope.kernels.Buffer;

/**
 * The settings every zooscope benchmark shares (JMH reads these annotations from the superclass):
 * throughput per second, 3 × 1 s warm-up, 10 × 1 s measurement, one fork with the Vector API and
 * native access enabled. Passing {@code -jvmArgsAppend} on JMH's command line replaces the fork flags:
 * repeat them there.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public abstract class BenchSettings {
    /** A buffer of backend k with n values uniform in [lo, hi) from r. */
    static Buffer randomBuffer(Backend k, SplittableRandom r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextDouble(lo, hi);
        Buffer b = k.allocate(n);
        k.copyIn(v, 0, b, 0, n);
        return b;
    }
}
