package zooscope.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import zooscope.downstream.Downstream;
import zooscope.downstream.Target;
import zooscope.engine.io.WholeFile;
import zooscope.pretrain.PretrainConfig;
import zooscope.encoders.Encoders;
import zooscope.pretrain.PretrainGroup;
import zooscope.pretrain.Pretrainer;
import zooscope.pretrain.TrainedRun;
import zooscope.zoo.ArgsFile;
import zooscope.zoo.Zoo;
import zooscope.zoo.ZooKind;

/**
 * The experiment grid: for every (seed, encoder) unit, emulation pre-training, then frozen downstream
 * predictors on the pre-trained z for every target of the zoo kind, then the supervised baseline (encoder
 * + predictor trained end to end) on the task target. Layout: {@code OUT/ENCODER/seedS/} with
 * {@code pretrain/} (the run folder), {@code embeddings.npy}, {@code frozen-TARGET.json},
 * {@code supervised-TARGET.json}. Every finished piece is kept and never redone, so the grid resumes
 * where it stopped; {@code --shard I/N} runs the I-th of N contiguous blocks of units (seed-major order).
 */
public final class Grid {
    public static final String ARGS = "grid.json";
    /**
     * The encoders whose seeds the grid pre-trains together ({@link Settings#group}): all but DWS and the
     * transformer, whose groups gain little or nothing per run on the CPU (their layers are memory-bound and a
     * group's tensors are G times larger; bench/README.md).
     */
    public static final List<String> GROUPED = Encoders.NAMES.stream().filter(e -> !e.equals("dws") && !e.equals("transformer")).toList();

    /**
     * {@code supervisedUpdates} 0 skips the supervised baseline. {@code group}: the most pre-training runs of one
     * encoder trained together ({@link PretrainGroup}; the encoders of {@link #GROUPED} only; the same numbers as alone, so it
     * is not part of the grid's arguments).
     */
    public record Settings(PretrainConfig pretrain, int frozenUpdates, int supervisedUpdates, int group) {
        public Settings {
            if (group < 1) throw new IllegalArgumentException("--group must be positive, got " + group);
            if (frozenUpdates < 1) throw new IllegalArgumentException("--frozen-updates must be positive, got " + frozenUpdates);
            if (supervisedUpdates < 0) throw new IllegalArgumentException("--supervised-updates must be >= 0, got " + supervisedUpdates);
        }
    }

    /** One cell of the grid. */
    public record Unit(String encoder, long seed) {
        public Path dir(Path out) { return out.resolve(encoder).resolve("seed" + seed); }
    }

    /** The units in seed-major order: every encoder's seed 1 first, so a partial grid is a complete first seed. */
    public static List<Unit> units(List<String> encoders, int seeds) {
        List<Unit> u = new ArrayList<>();
        for (int s = 1; s <= seeds; s++) for (String e : encoders) u.add(new Unit(e, s));
        return u;
    }

    /** Frozen targets of a zoo kind; the first is also the supervised one. */
    public static List<Target> targets(ZooKind kind) {
        return java.util.Arrays.stream(Target.values()).filter(t -> t.kind == kind).toList();
    }

    public static void run(Path zooDir, List<String> encoders, int seeds, Settings s, int shard, int shards, Path out, PrintStream log) throws IOException {
        try (zooscope.zoo.FolderLock lock = zooscope.zoo.FolderLock.acquire(out, "experiment " + String.join(",", encoders) + " --shard " + shard + "/" + shards, log)) {
            runLocked(zooDir, encoders, seeds, s, shard, shards, out, log);
        }
    }

    private static void runLocked(Path zooDir, List<String> encoders, int seeds, Settings s, int shard, int shards, Path out, PrintStream log) throws IOException {
        Zoo zoo = Zoo.open(zooDir);
        Files.createDirectories(out);
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("zoo", zoo.dir.toAbsolutePath().normalize().toString());
        args.put("zoo_kind", zoo.kind.id);
        args.put("encoders", encoders);
        args.put("seeds", seeds);
        args.put("pretrain", s.pretrain().toMap());
        args.put("frozen_updates", s.frozenUpdates());
        args.put("supervised_updates", s.supervisedUpdates());
        ArgsFile.checkOrWrite(out.resolve(ARGS), args, "an experiment grid");
        List<Unit> all = units(encoders, seeds);
        int from = (int) ((long) all.size() * shard / shards), to = (int) ((long) all.size() * (shard + 1) / shards);
        log.printf("experiment: %d units (%d encoders x %d seeds) on %s, this shard %d/%d runs units %d..%d; preset %s%n",
            all.size(), encoders.size(), seeds, zoo.dir, shard, shards, from, to - 1, s.pretrain().preset());
        List<Target> targets = targets(zoo.kind);
        Map<Target, Downstream> downstream = new LinkedHashMap<>();
        for (Target t : targets) downstream.put(t, new Downstream(zoo, t));
        ObjectMapper json = new ObjectMapper();
        long t0 = System.nanoTime();
        java.util.Set<String> grouped = new java.util.HashSet<>();
        for (int i = from; i < to; i++) {
            Unit u = all.get(i);
            Path dir = u.dir(out);
            log.printf("[%d/%d] %s seed %d (%s elapsed)%n", i - from + 1, to - from, u.encoder(), u.seed(), zooscope.zoo.ZooGenerator.duration((System.nanoTime() - t0) / 1e9));
            if (s.group() > 1 && GROUPED.contains(u.encoder()) && grouped.add(u.encoder())) {
                // this shard's runs of the encoder, pre-trained together in groups of at most s.group(); their units then find them finished
                List<Pretrainer> runs = new ArrayList<>();
                for (Unit v : all.subList(i, to)) if (v.encoder().equals(u.encoder())) runs.add(new Pretrainer(zooDir, v.encoder(), v.seed(), s.pretrain(), v.dir(out).resolve("pretrain")));
                for (int g = 0; g < runs.size(); g += s.group()) {
                    List<Pretrainer> members = runs.subList(g, Math.min(runs.size(), g + s.group()));
                    if (members.size() > 1) {
                        log.printf("pre-training %d runs of %s together (seeds %s)%n", members.size(), u.encoder(), members.stream().map(p -> Long.toString(p.seed)).toList());
                        new PretrainGroup(members).run(log);
                    }
                }
            }
            new Pretrainer(zooDir, u.encoder(), u.seed(), s.pretrain(), dir.resolve("pretrain")).run(log);
            float[] z = null;
            for (Target t : targets) {
                Path f = dir.resolve("frozen-" + t.id + ".json");
                if (Files.exists(f)) continue;
                if (z == null) {
                    z = Downstream.embedAll(TrainedRun.open(dir.resolve("pretrain")).encoder(), zoo);
                    try {
                        Downstream.writeEmbeddings(dir.resolve("embeddings.npy"), z); // rewritten whole until the frozen results exist
                    } catch (IOException e) {
                        throw zooscope.zoo.FolderLock.writeFailed(dir, dir.resolve("embeddings.npy"), e);
                    }
                }
                write(json, f, downstream.get(t).frozen(z, u.encoder(), u.seed(), s.frozenUpdates(), null));
            }
            Target sup = targets.getFirst();
            Path f = dir.resolve("supervised-" + sup.id + ".json");
            if (s.supervisedUpdates() > 0 && !Files.exists(f)) write(json, f, downstream.get(sup).supervised(u.encoder(), s.pretrain().smallEncoders(), u.seed(), s.supervisedUpdates(), log));
        }
        log.printf("experiment shard %d/%d finished in %s; ./zooscope report %s%n", shard, shards, zooscope.zoo.ZooGenerator.duration((System.nanoTime() - t0) / 1e9), out);
    }

    static void write(ObjectMapper json, Path f, Downstream.Result r) throws IOException {
        try {
            WholeFile.write(f, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(r));
        } catch (IOException e) {
            throw zooscope.zoo.FolderLock.writeFailed(f.getParent(), f, e);
        }
    }
}
