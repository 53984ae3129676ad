package zooscope.zoo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import zooscope.engine.io.DType;
import zooscope.engine.nn.LstmLayout;

/** The two zoos of PAPER.md §4–§6 and their files, in the reference's on-disk layout. */
public enum ZooKind {
    FORMAL("formal", LstmLayout.FORMAL, 41, FormalZoo.BATCH, "num_step_correct.npy", List.of(
        new ZooFile("parameters.npy", DType.F32, LstmLayout.FORMAL.size()),
        new ZooFile("sequences.npy", DType.I16, FormalZoo.ROLLOUTS, 42),
        new ZooFile("logits.npy", DType.F16, FormalZoo.ROLLOUTS, 41, 6),
        new ZooFile("tasks.npy", DType.I64, 4),
        new ZooFile("num_step_correct.npy", DType.I64, 3),
        new ZooFile(FormalZoo.STRICT_FILE, DType.I64))),
    MNIST("mnist", LstmLayout.MNIST, 50, MnistZoo.BATCH, "num_step.npy", List.of(
        new ZooFile("parameters.npy", DType.F32, LstmLayout.MNIST.size()),
        new ZooFile("sequences.npy", DType.F16, MnistZoo.ROLLOUTS, 50, 16),
        new ZooFile("logits.npy", DType.F16, MnistZoo.ROLLOUTS, 50, 10),
        new ZooFile("tasks.npy", DType.F64, 1),
        new ZooFile("num_step.npy", DType.I64, 2),
        new ZooFile("accuracy_losses.npy", DType.F64, 4)));

    /** One NPY file of a zoo: a row per checkpoint of this dtype and shape. */
    public record ZooFile(String name, DType dtype, long... rowShape) {}

    /**
     * zooscope's record of finished runs, (R, 3) int64 rows [run, status, step]: status 0 = stored,
     * 1 = diverged at that update (not stored). Written last, so it commits the rows before it.
     */
    public static final String STATUS_FILE = "run_status.npy";
    public static final String ARGS_FILE = "args.json";

    public final String id;
    public final LstmLayout layout;
    /** Time steps and sequences of a training batch. */
    public final int time, batch;
    /** The file whose first two columns are [run, step]. */
    public final String labelFile;
    public final List<ZooFile> files;

    ZooKind(String id, LstmLayout layout, int time, int batch, String labelFile, List<ZooFile> files) {
        this.id = id;
        this.layout = layout;
        this.time = time;
        this.batch = batch;
        this.labelFile = labelFile;
        this.files = files;
    }

    /** How this kind's rows read (checks, quality, tables, rollout inputs): its recipe's one instance. */
    public ZooContents contents() {
        return switch (this) {
            case FORMAL -> FormalZoo.CONTENTS;
            case MNIST -> MnistZoo.CONTENTS;
        };
    }

    /** Files the reference's zoos have; zooscope's additions are optional when reading. */
    public boolean inReferenceLayout(ZooFile f) { return !f.name().equals(FormalZoo.STRICT_FILE); }

    /** The kind of an existing zoo folder, told by its label file. */
    public static ZooKind of(Path dir) {
        for (ZooKind k : values()) if (Files.isRegularFile(dir.resolve(k.labelFile))) return k;
        throw new IllegalArgumentException(dir + ": not a zoo (neither num_step_correct.npy, of a formal-language zoo, nor num_step.npy, of an MNIST zoo)");
    }
}
