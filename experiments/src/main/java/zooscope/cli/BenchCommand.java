package zooscope.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import zooscope.engine.Rng;
import zooscope.engine.multi.MultiModelLstm;
import zooscope.engine.nn.LstmLayout;
import zooscope.formal.FormalLanguage;
import zooscope.kernels.Backends;

/** Whole-job benchmarks. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Whole-job benchmarks (micro-benchmarks: ./zooscope jmh).",
    subcommands = {BenchCommand.Train.class, BenchCommand.Encode.class, BenchPretrain.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    /** Zoo training throughput: M models trained together, as the zoo generator does. */
    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Zoo training throughput: train M 2x32 LSTMs together for S steps and print model-steps/s and GFLOP/s.",
            "One model-step = one AdamW update of one model on a batch of 32 sequences (teacher forcing, loss at every step).",
            "formal: 6 inputs/outputs, 41 steps, one-hot formal-language sequences (a random task per model).",
            "mnist:  16 inputs (a 4x4 tile), 10 classes, 50 steps, synthetic tiles of the real input size."})
    static final class Train implements Callable<Integer> {
        @Option(names = "--config", description = "formal or mnist (default: ${DEFAULT-VALUE}).")
        String config = "formal";

        @Option(names = "--models", description = "Models trained together (default: ${DEFAULT-VALUE}).")
        int models = 64;

        @Option(names = "--steps", description = "Timed steps per repeat (default: ${DEFAULT-VALUE}).")
        int steps = 200;

        @Option(names = "--repeats", description = "Timed repeats; the median is reported (default: ${DEFAULT-VALUE}).")
        int repeats = 3;

        @Option(names = "--warmup", paramLabel = "STEPS", description = "Untimed steps first, for the JIT (default: ${DEFAULT-VALUE}).")
        int warmup = 30;

        @Option(names = "--threads", description = "Worker threads (default: all cores, ${DEFAULT-VALUE}).")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--batch", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
        int batch = 32;

        @Mixin BackendOption backend;

        @Override
        public Integer call() {
            boolean formal = switch (config.toLowerCase(Locale.ROOT)) {
                case "formal" -> true;
                case "mnist" -> false;
                default -> throw new IllegalArgumentException("--config must be formal or mnist, got '" + config + "'");
            };
            Args.positive("--models", models);
            Args.positive("--steps", steps);
            Args.positive("--repeats", repeats);
            Args.nonNegative("--warmup", warmup);
            Args.positive("--threads", threads);
            Args.positive("--batch", batch);
            LstmLayout layout = formal ? LstmLayout.FORMAL : LstmLayout.MNIST;
            int time = formal ? FormalLanguage.LENGTH - 1 : 50;
            try (MultiModelLstm group = new MultiModelLstm(layout, models, batch, time, threads)) {
                Rng[] data = new Rng[models];
                FormalLanguage[] tasks = new FormalLanguage[models];
                for (int m = 0; m < models; m++) {
                    group.setParams(m, layout.flatten(layout.newModel(Rng.stream(1, m, 0))));
                    group.setWeightDecay(m, 1e-4);
                    data[m] = Rng.stream(1, m, 1);
                    Rng t = Rng.stream(1, m, 2);
                    tasks[m] = new FormalLanguage(0, t.nextInt(6) - 3, t.nextInt(6) - 3, t.nextInt(6) - 3);
                }
                MultiModelLstm.Batches batches = formal ? (m, x, y) -> tasks[m].fillBatch(data[m], batch, x, y) : tileBatches(data, layout, time);
                double[] lr = new double[models];
                Arrays.fill(lr, 0.01);
                float[] losses = new float[models];
                System.out.printf("bench train: config %s, %d models x %d steps, batch %d, %d threads, backend %s%n",
                    config, models, steps, batch, group.threads, Backends.current().name());
                for (int s = 0; s < warmup; s++) group.step(batches, lr, losses);
                double[] rates = new double[repeats];
                for (int rep = 0; rep < repeats; rep++) {
                    long t0 = System.nanoTime();
                    for (int s = 0; s < steps; s++) group.step(batches, lr, losses);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    rates[rep] = (double) models * steps / seconds;
                    System.out.printf("  repeat %d: %8.1f model-steps/s  (%.2f s)%n", rep + 1, rates[rep], seconds);
                }
                double[] sorted = rates.clone();
                Arrays.sort(sorted);
                double median = sorted[repeats / 2];
                double gflops = median * group.flopsPerModelStep() / 1e9;
                System.out.printf("median: %.1f model-steps/s, %.1f GFLOP/s (%.1f MFLOP per model-step in GEMMs)%n",
                    median, gflops, group.flopsPerModelStep() / 1e6);
                float mean = 0;
                for (float l : losses) mean += l / models;
                System.out.printf("mean training loss after %d steps: %.4f%n", warmup + repeats * steps, mean);
            }
            return 0;
        }

        /** Tiles with normalised-MNIST-like values and one digit label per sequence. */
        private MultiModelLstm.Batches tileBatches(Rng[] data, LstmLayout layout, int time) {
            return (m, x, y) -> {
                Rng r = data[m];
                for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() < 0.8f ? -0.4242f : r.uniform(-0.4242, 2.8215);
                for (int b = 0; b < batch; b++) {
                    int label = r.nextInt(layout.output());
                    Arrays.fill(y, b * time, (b + 1) * time, label);
                }
            };
        }
    }

    /** Encoding throughput of the weight encoders on a batch of real zoo rows. */
    @Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Weight-encoder throughput: RNNs/s encoding a batch of zoo rows (no gradients), and RNNs/s for a training pass (forward and backward through the encoder), per encoder.",
            "Each figure is the median of --repeats timings of at least 1 s each, after a warm-up."})
    static final class Encode implements Callable<Integer> {
        @Option(names = "--zoo", required = true, paramLabel = "DIR", description = "Zoo whose first rows are encoded (cycled if it has fewer than --batch).")
        java.nio.file.Path zoo;

        @Option(names = "--encoders", split = ",", paramLabel = "NAME", description = "Encoders to time (default: all).")
        java.util.List<String> encoders = zooscope.encoders.Encoders.NAMES;

        @Option(names = "--batch", description = "RNNs per batch (default: ${DEFAULT-VALUE}).")
        int batch = 64;

        @Option(names = "--repeats", description = "Timed repeats; the median is reported (default: ${DEFAULT-VALUE}).")
        int repeats = 3;

        @Mixin BackendOption backend;

        @Override
        public Integer call() throws java.io.IOException {
            Args.positive("--batch", batch);
            Args.positive("--repeats", repeats);
            for (String name : encoders) Args.oneOf("--encoders", name, zooscope.encoders.Encoders.NAMES);
            zooscope.zoo.Zoo z = Args.zoo("--zoo", zoo);
            var model = zooscope.encoders.ProbedModel.of(z.kind.layout);
            int P = model.layout().size();
            float[] rows = new float[batch * P];
            for (int b = 0; b < batch; b++) System.arraycopy(z.parameters(b % z.rows), 0, rows, b * P, P);
            zooscope.engine.Tensor theta = zooscope.engine.Tensor.of(rows, batch, P);
            System.out.printf("bench encode: %s zoo %s, batch %d, %d threads available, backend %s%n", z.kind.id, zoo, batch,
                Runtime.getRuntime().availableProcessors(), Backends.current().name());
            System.out.printf("%-16s %12s %14s %16s%n", "encoder", "parameters", "encode RNNs/s", "train-pass RNNs/s");
            for (String name : encoders) {
                var enc = zooscope.encoders.Encoders.create(name, model, new Rng(1));
                float[] w = zooscope.engine.Tensor.uniform(new Rng(2), -1, 1, batch * 16).toArray();
                Runnable encode = () -> {
                    enc.train(false);
                    try (var off = zooscope.engine.Grad.off()) { enc.encode(theta); }
                };
                Runnable trainPass = () -> {
                    enc.train(true);
                    enc.zeroGrad();
                    enc.encode(theta).backward(w);
                };
                System.out.printf("%-16s %,12d %14.1f %16.1f%n", name, enc.parameterCount(), rate(encode), rate(trainPass));
            }
            return 0;
        }

        /** RNNs/s: median over repeats, each running whole batches for at least a second, after two warm-up batches. */
        private double rate(Runnable pass) {
            pass.run();
            pass.run();
            double[] r = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                int n = 0;
                do { pass.run(); n++; } while (System.nanoTime() - t0 < 1_000_000_000L);
                r[i] = (double) n * batch / ((System.nanoTime() - t0) / 1e9);
            }
            Arrays.sort(r);
            return r[repeats / 2];
        }
    }
}
