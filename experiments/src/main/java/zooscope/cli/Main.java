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
            if (ex instanceof zooscope.pretrain.NumericalFault) { // training diverged: the run folder keeps its last good state
                cmd.getErr().println("zooscope " + cmd.getCommandName() + ": " + ex.getMessage());
                return NUMERICAL_FAULT;
            }
            if (ex instanceof java.io.UncheckedIOException u) ex = u.getCause();
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException || ex instanceof java.io.IOException) {
                cmd.getErr().println("zooscope " + cmd.getCommandName() + ": " + message(ex));
                return BAD_INPUT;
            }
            throw ex;
        });
        // unparseable arguments too: one line (no usage text), exit 2
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            String msg = ex.getMessage();
            for (Throwable c = ex.getCause(); c != null; c = c.getCause()) { // an option's setter refused the value
                if (c instanceof IllegalArgumentException && c.getMessage() != null) {
                    String option = ex.getArgSpec() instanceof CommandLine.Model.OptionSpec o ? o.longestName() : null;
                    msg = option == null || c.getMessage().contains(option) ? c.getMessage() : option + ": " + c.getMessage();
                    break;
                }
            }
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) msg += "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
            String name = cmd.getParent() == null ? "zooscope" : "zooscope " + cmd.getCommandName();
            cmd.getErr().println(name + ": " + msg + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            return BAD_INPUT;
        });
        return cl;
    }

    /** Exit codes (README): 0 done; 1 'zoo check' found problems, or an internal error (with a stack trace); 2 bad arguments or input; 3 a numerical fault stopped training. */
    static final int BAD_INPUT = 2, NUMERICAL_FAULT = 3;

    /** An exception's message; file-system exceptions whose message is only the path get the reason added. */
    private static String message(Exception ex) {
        if (ex instanceof java.nio.file.FileSystemException f && f.getReason() == null) {
            String why = switch (f) {
                case java.nio.file.NoSuchFileException n -> "no such file or folder";
                case java.nio.file.FileAlreadyExistsException a -> "already exists (as a file where a folder is needed?)";
                case java.nio.file.AccessDeniedException a -> "permission denied";
                case java.nio.file.NotDirectoryException n -> "not a folder";
                default -> f.getClass().getSimpleName();
            };
            return f.getMessage() + ": " + why;
        }
        return ex.getMessage();
    }

    /** Listed so that --help shows it; the launcher script runs the suite itself. */
    @Command(name = "test", description = "Run the whole test suite (Maven, all modules); ends with 'tests: N passed, N failed, N skipped'.")
    static final class TestCommand implements Runnable {
        @Override public void run() {
            System.out.println("The test suite is run by the launcher: ./zooscope test   (it calls Maven on all modules)");
        }
    }
}
