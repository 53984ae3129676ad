package zooscope.zoo;

import java.util.Map;
import zooscope.engine.io.NdArray;

/**
 * How one kind of zoo draws a run's task, feeds its training and evaluates its checkpoints. Every
 * random choice comes from a stream keyed by (zoo seed, run index, purpose), so a run's result does not
 * depend on which runs are trained with it, on threads or on resuming (PAPER.md §15.5).
 */
interface ZooRecipe {
    /** Stream purposes. */
    long TASK = 0, INIT = 1, DATA = 2, EVAL = 3;

    ZooKind kind();

    /** Run {@code index}: its task and its data stream, positioned at the first batch. */
    Run run(int index);

    /** A new evaluator; each worker thread uses its own. */
    Evaluator evaluator();

    /** The reference builder's own arguments, written to args.json. */
    Map<String, Object> referenceArgs(int runs);

    /** The arguments both reference builders record first: the seed, CPU, and storing on. */
    static Map<String, Object> builderArgs(long seed) {
        Map<String, Object> a = new java.util.LinkedHashMap<>();
        a.put("seed", seed);
        a.put("use_cuda", 0);
        a.put("store", 1);
        return a;
    }

    /** One training run. */
    interface Run {
        int index();
        double weightDecay();
        /** The initial flat parameters (PyTorch's initialisation from the run's INIT stream). */
        float[] initialParams();
        /** The next training batch: inputs x [batch, time, input] and targets y [batch·time]. */
        void fillBatch(float[] x, int[] y);
        /** A short description of the task, for logs. */
        String describe();
    }

    /** Evaluates checkpoints; holds the buffers of one worker thread. */
    interface Evaluator {
        /** The zoo rows (one per file, each of shape [1, row...]) of the run's model after update {@code step}. */
        Map<String, NdArray> evaluate(Run run, int step, float[] params);
    }
}
