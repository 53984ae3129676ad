package zooscope.pretrain;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import zooscope.encoders.Emulator;
import zooscope.encoders.Encoders;
import zooscope.encoders.HiddenPermutation;
import zooscope.encoders.ProbedModel;
import zooscope.engine.Rng;
import zooscope.engine.Tensor;
import zooscope.engine.nn.Init;
import zooscope.zoo.FolderLock;

/**
 * Several pre-training runs of one encoder (seeds; the same zoo and configuration) trained together: one
 * encoder and one emulator whose parameters carry a leading model axis ({@link Init#group}), so every update
 * is one pass of batched products for all runs and one AdamW step; each run's gradients are clipped on their
 * own. Each run keeps its own folder and everything in it: data order, rollouts and augmentation of its
 * seed, evaluations, checkpoints, logs, result. Evaluations and checkpoints go through the run's own
 * {@link Pretrainer} after its slice of the group is copied back into it. Each model's arithmetic is the solo
 * kernels', so a run's folder ends with the same bits as the run trained alone (tested), and a killed group
 * resumes from the runs' checkpoints to the same bits as an uninterrupted group (tested).
 */
public final class PretrainGroup {
    private final List<Pretrainer> runs;
    /** Test hook: stop (as if killed) after this update. */
    long stopAfter = Long.MAX_VALUE;

    /** Runs of one encoder on one zoo with one configuration, differing in seed (and folder). */
    public PretrainGroup(List<Pretrainer> runs) {
        if (runs.isEmpty()) throw new IllegalArgumentException("a group needs at least one run");
        Pretrainer first = runs.get(0);
        for (Pretrainer r : runs) {
            if (!r.encoderName.equals(first.encoderName) || !r.cfg.equals(first.cfg) || !r.zoo.dir.equals(first.zoo.dir)) {
                throw new IllegalArgumentException("a group trains runs of one encoder, zoo and configuration; " + r.dir + " differs from " + first.dir);
            }
        }
        this.runs = List.copyOf(runs);
    }

    /** Trains every run to the end (or resumes there); returns their results in order (null if stopped by the test hook). */
    public List<Pretrainer.Result> run(PrintStream out) throws IOException {
        List<FolderLock> locks = new ArrayList<>();
        try {
            for (Pretrainer r : runs) locks.add(FolderLock.acquire(r.dir, "pretrain " + r.encoderName + " seed " + r.seed + " (group of " + runs.size() + ")", out));
            return runLocked(out);
        } finally {
            for (FolderLock l : locks) l.close();
        }
    }

    private List<Pretrainer.Result> runLocked(PrintStream out) throws IOException {
        List<Pretrainer.State> states = new ArrayList<>();
        for (Pretrainer r : runs) states.add(r.open(out));
        int last = runs.get(0).cfg.steps();
        // After a kill the runs may stand at different updates (checkpoints are written one run after the other):
        // those furthest behind train as a smaller group until they reach the next ones.
        while (true) {
            int t0 = Integer.MAX_VALUE;
            for (Pretrainer.State s : states) if (s.finished == null) t0 = Math.min(t0, s.start);
            if (t0 == Integer.MAX_VALUE) break;
            int until = last;
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                Pretrainer.State s = states.get(i);
                if (s.finished != null) continue;
                if (s.start == t0) members.add(i);
                else until = Math.min(until, s.start - 1);
            }
            if (!train(members, states, t0, until, out)) return null;
        }
        List<Pretrainer.Result> results = new ArrayList<>();
        for (Pretrainer.State s : states) results.add(s.finished);
        return results;
    }

    /** Trains runs {@code members} together over updates from..until; false if stopped by the test hook. */
    private boolean train(List<Integer> members, List<Pretrainer.State> states, int from, int until, PrintStream out) throws IOException {
        List<Pretrainer> group = members.stream().map(runs::get).toList();
        Members together = new Members(group);
        for (int t = from; t <= until; t++) {
            double[] losses;
            try {
                losses = together.update(t);
            } catch (GroupedEmulationStep.ModelFault f) {
                int i = f.model < 0 ? 0 : f.model;
                throw states.get(members.get(i)).stopped(f.fault, t);
            }
            for (int j = 0; j < group.size(); j++) {
                Pretrainer r = group.get(j);
                Pretrainer.State s = states.get(members.get(j));
                if (r.evaluates(t)) together.copyInto(j);
                r.afterUpdate(s, t, losses[j], line -> out.println(r.encoderName + " seed " + r.seed + ", " + line));
                s.start = t + 1;
                if (t == r.cfg.steps()) s.finished = r.finish(s);
            }
            if (t >= stopAfter) return false;
        }
        return true;
    }

    /** The runs of a group and their {@link GroupedEmulationStep}, stacked from the runs' current states. */
    static final class Members {
        final List<Pretrainer> runs;
        final int G;
        final GroupedEmulationStep step;

        Members(List<Pretrainer> runs) {
            this.runs = runs;
            G = runs.size();
            Pretrainer first = runs.get(0);
            PretrainConfig cfg = first.cfg;
            ProbedModel model = first.encoder.model();
            Rng[] encoderInit = new Rng[G], emulatorInit = new Rng[G];
            for (int g = 0; g < G; g++) {
                encoderInit[g] = Rng.stream(runs.get(g).seed, Pretrainer.INIT, 0);
                emulatorInit[g] = Rng.stream(runs.get(g).seed, Pretrainer.INIT, 1);
            }
            step = new GroupedEmulationStep(Encoders.createGroup(first.encoderName, model, cfg.probeStreams(), cfg.smallEncoders(), encoderInit),
                Emulator.of(model, cfg.emulatorHidden(), cfg.emulatorLayers(), Init.group(emulatorInit)), cfg);
            stack();
        }

        /** The runs' parameters and AdamW moments (fresh or restored from their checkpoints) into the group's. */
        private void stack() {
            List<Tensor> all = step.all;
            List<List<Tensor>> own = runs.stream().map(Members::parameters).toList();
            long steps = runs.get(0).opt.steps();
            float[][] ms = new float[all.size()][], vs = new float[all.size()][];
            for (int p = 0; p < all.size(); p++) {
                int n = all.get(p).size() / G;
                float[] values = new float[n * G], m = new float[n * G], v = new float[n * G];
                boolean moments = false;
                for (int g = 0; g < G; g++) {
                    Pretrainer r = runs.get(g);
                    if (r.opt.steps() != steps) throw new IllegalStateException("runs of a group at different updates: " + r.dir);
                    System.arraycopy(own.get(g).get(p).toArray(), 0, values, g * n, n);
                    float[][] mv = r.opt.moments(p);
                    if (mv[0] != null) {
                        moments = true;
                        System.arraycopy(mv[0], 0, m, g * n, n);
                        System.arraycopy(mv[1], 0, v, g * n, n);
                    }
                }
                all.get(p).copyFrom(values);
                if (moments) { ms[p] = m; vs[p] = v; }
            }
            step.opt.restore(steps, ms, vs);
        }

        /** Run g's slice of the group's parameters and moments copied back into its own encoder, emulator and optimiser. */
        void copyInto(int g) {
            List<Tensor> all = step.all;
            Pretrainer r = runs.get(g);
            List<Tensor> own = parameters(r);
            float[][] ms = new float[all.size()][], vs = new float[all.size()][];
            for (int p = 0; p < all.size(); p++) {
                int n = all.get(p).size() / G;
                own.get(p).copyFrom(java.util.Arrays.copyOfRange(all.get(p).toArray(), g * n, (g + 1) * n));
                float[][] mv = step.opt.moments(p);
                if (mv[0] != null) {
                    ms[p] = java.util.Arrays.copyOfRange(mv[0], g * n, (g + 1) * n);
                    vs[p] = java.util.Arrays.copyOfRange(mv[1], g * n, (g + 1) * n);
                }
            }
            r.opt.restore(step.opt.steps(), ms, vs);
        }

        /** A run's parameters in the optimiser's order: the encoder's, then the emulator's. */
        private static List<Tensor> parameters(Pretrainer r) {
            List<Tensor> p = new ArrayList<>(r.encoder.parameters());
            p.addAll(r.emulator.parameters());
            return p;
        }

        /** Update t of every run, each on its own batch (and augmentation) of update t. Returns the batch losses. */
        double[] update(int t) {
            Tensor[] theta = new Tensor[G], x = new Tensor[G], target = new Tensor[G];
            long[] dropoutSeeds = new long[G];
            boolean augment = step.encoder.wantsPermutationAugmentation();
            for (int g = 0; g < G; g++) {
                Pretrainer r = runs.get(g);
                EmulationData.Batch b = r.batch(t);
                theta[g] = augment ? HiddenPermutation.augment(r.encoder.model().layout(), b.theta(), Rng.stream(r.seed, Pretrainer.AUGMENT, t)) : b.theta();
                x[g] = b.x();
                target[g] = b.target();
                dropoutSeeds[g] = Rng.stream(r.seed, Pretrainer.DROPOUT, t).nextLong(); // as Pretrainer.update(t)
            }
            return step.update(GroupedEmulationStep.stack(theta), GroupedEmulationStep.stack(x), GroupedEmulationStep.stack(target), dropoutSeeds);
        }
    }
}
