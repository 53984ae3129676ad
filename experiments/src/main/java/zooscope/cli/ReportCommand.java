package zooscope.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import zooscope.experiment.Report;

/** {@code zooscope report}: tables and plots of an experiment grid. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Report of one or several experiment folders (the shards of one grid): report.md (mean and 95 %% bootstrap CI over seeds, beside the paper's Table 2),",
        "summary.csv (one row per encoder x seed), loss_curves.png (every logged evaluation, unfinished units too), pca_ENCODER.png, clone_vs_original.png. The tables leave unfinished units out."})
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RESULTS_DIR", description = "Experiment folders.")
    List<Path> dirs;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write (default: the first RESULTS_DIR).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (out != null) Args.outputFolder("--out", out);
        Path md = Report.write(dirs, out == null ? dirs.getFirst() : out);
        System.out.print(java.nio.file.Files.readString(md));
        System.out.println("wrote " + md.getParent().resolve("summary.csv") + ", " + md + " and the plots");
        return 0;
    }
}
