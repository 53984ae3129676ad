package zooscope.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code zooscope} command line. */
@Command(name = "zooscope", mixinStandardHelpOptions = true, version = "zooscope 0.1.0",
    description = {
        "Learning representations of recurrent-network weights, on a pure-Java engine.",
        "",
        "Main job on a small default:  ./zooscope demo",
        "Model zoos:                   ./zooscope zoo formal|mnist --runs R --out DIR   (zoo --help)",
        "Weight encoders:              ./zooscope encode --zoo DIR --encoder NAME --out FILE.npy",
        "Whole test suite:             ./zooscope test   (run by the launcher through Maven)",
        "Micro-benchmarks:             ./zooscope jmh    (JMH; GFLOP/s against the measured peak)"},
    subcommands = {DemoCommand.class, ZooCommand.class, EncodeCommand.class, PretrainCommand.class, DownstreamCommand.class, ExperimentCommand.class, ReportCommand.class, ExportCommand.class, ImportCommand.class, TheoryCommand.class, BenchCommand.class, InfoCommand.class, Main.TestCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // bad input is reported as one clear line, not a stack trace of an internal class
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException || ex instanceof java.io.IOException) {
                cmd.getErr().println("zooscope " + cmd.getCommandName() + ": " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    /** Listed so that --help shows it; the launcher script runs the suite itself. */
    @Command(name = "test", description = "Run the whole test suite (Maven, all modules); ends with 'tests: N passed, N failed, N skipped'.")
    static final class TestCommand implements Runnable {
        @Override public void run() {
            System.out.println("The test suite is run by the launcher: ./zooscope test   (it calls Maven on all modules)");
        }
    }
}
