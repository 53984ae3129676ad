package zooscope.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import zooscope.pretrain.TrainedRun;
import zooscope.zoo.Zoo;

/**
 * Checks of command-line values, run before a command starts any work. Each failure is an
 * {@link IllegalArgumentException} whose message names the option and what it expects; {@link Main} prints it as
 * one line and exits with 2.
 */
final class Args {
    private Args() {}

    static void positive(String option, long value) {
        if (value < 1) throw new IllegalArgumentException(option + " must be positive, got " + value);
    }

    static void nonNegative(String option, long value) {
        if (value < 0) throw new IllegalArgumentException(option + " must be >= 0, got " + value);
    }

    static void oneOf(String option, String value, Collection<String> allowed) {
        if (!allowed.contains(value)) throw new IllegalArgumentException("unknown " + option + " '" + value + "': expected one of " + String.join(", ", allowed));
    }

    /** An existing file to read. */
    static Path inputFile(String option, Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(option + " " + file + ": " + (Files.isDirectory(file) ? "a folder, expected a file" : "no such file"));
        return file;
    }

    /** An existing folder to read. */
    static Path inputFolder(String option, Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(option + " " + dir + ": " + (Files.exists(dir) ? "not a folder" : "no such folder"));
        return dir;
    }

    /** A folder to write into: a folder already or creatable (no file in the way, and the nearest existing parent writable). */
    static Path outputFolder(String option, Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException(option + " " + dir + ": a file, expected a folder");
        creatable(option, dir);
        return dir;
    }

    /** A file to write: not a folder, and its folder creatable. */
    static Path outputFile(String option, Path file) {
        if (Files.isDirectory(file)) throw new IllegalArgumentException(option + " " + file + ": a folder, expected a file name");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            if (Files.exists(parent) && !Files.isDirectory(parent)) throw new IllegalArgumentException(option + " " + file + ": " + parent + " is a file, not a folder");
            creatable(option, parent);
        }
        return file;
    }

    private static void creatable(String option, Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p == null || p.equals(dir.toAbsolutePath())) return;
        if (!Files.isDirectory(p)) throw new IllegalArgumentException(option + " " + dir + ": " + p + " is a file, not a folder");
        if (!Files.isWritable(p)) throw new IllegalArgumentException(option + " " + dir + ": cannot create it, " + p + " is not writable");
    }

    /** Opens the zoo a command reads; a missing or malformed zoo is reported under the option's name. */
    static Zoo zoo(String option, Path dir) {
        try {
            return Zoo.open(dir);
        } catch (IOException | IllegalArgumentException e) {
            throw named(option, dir, e);
        }
    }

    /** Opens a pre-training run folder a command reads, reporting problems under the option's name. */
    static TrainedRun run(String option, Path dir) {
        try {
            return TrainedRun.open(dir);
        } catch (IOException | IllegalArgumentException e) {
            throw named(option, dir, e);
        }
    }

    private static IllegalArgumentException named(String option, Path value, Exception e) {
        String msg = String.valueOf(e.getMessage());
        return new IllegalArgumentException(msg.startsWith(value.toString()) ? option + " " + msg : option + " " + value + ": " + msg, e);
    }
}
